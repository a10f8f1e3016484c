import type { ScenarioResult } from '../report/model';
import { type Arrival, arrivals, peakConcurrency } from './arrivals';
import { Heap } from './heap';
import type { SimParameters, TraceJob } from './model';
import { type ModelRun, percentile, sampleTimeline, summarise } from './stats';

/**
 * N always-on runners: N identical on-demand instances, each running one job at a time, that take
 * jobs first come, first served. Every runner is assumed to carry every tag of the trace (tags are
 * ignored), which favours this model. The instances are billed over the whole span of the trace,
 * from its first arrival to its last job's end, and are still running afterwards (`leftovers`).
 */
export function simulateAlwaysOn(
  jobs: readonly TraceJob[],
  parameters: SimParameters,
  runners: number,
): ScenarioResult {
  const run = runAlwaysOn(arrivals(jobs), runners);
  return {
    name: `${runners} always-on runner${runners === 1 ? '' : 's'}`,
    summary: summarise(run, parameters.onDemandUSDPerHour, parameters.spotDiscount),
    timeline: sampleTimeline(run),
    waitsSeconds: run.waitsSeconds,
    keepsMachinesRunning: true,
  };
}

/**
 * The fewest always-on runners whose p95 wait is at most `targetP95s`. Adding a runner never delays
 * a job under first come, first served, so p95 falls as N grows and a binary search finds the
 * smallest N; with as many runners as the trace's peak concurrency no job waits at all.
 */
export function smallestAlwaysOn(
  jobs: readonly TraceJob[],
  parameters: SimParameters,
  targetP95s: number,
): ScenarioResult {
  const queue = arrivals(jobs);
  let low = 1;
  let high = Math.max(1, peakConcurrency(queue));
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (percentile(runAlwaysOn(queue, middle).waitsSeconds, 95) <= targetP95s) high = middle;
    else low = middle + 1;
  }
  return simulateAlwaysOn(jobs, parameters, low);
}

function runAlwaysOn(queue: readonly Arrival[], runners: number): ModelRun {
  if (!Number.isInteger(runners) || runners < 1) throw new RangeError('runners must be a positive integer');
  const startMs = queue[0]?.atMs ?? 0;
  const free = new Heap<number>(
    (a, b) => a - b,
    Array.from({ length: runners }, () => startMs),
  );
  const waitsSeconds: number[] = [];
  const pending = [];
  let endMs = startMs;
  for (const job of queue) {
    const startAt = Math.max(job.atMs, free.pop() ?? startMs);
    waitsSeconds.push((startAt - job.atMs) / 1000);
    pending.push({ fromMs: job.atMs, toMs: startAt });
    free.push(startAt + job.durationMs);
    endMs = Math.max(endMs, startAt + job.durationMs);
  }
  const instances = Array.from({ length: runners }, () => ({ fromMs: startMs, toMs: endMs, spot: false }));
  return { waitsSeconds, instances, pending, extraUSD: 0, leftovers: runners, startMs, endMs };
}
