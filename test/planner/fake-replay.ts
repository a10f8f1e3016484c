import { readFileSync } from 'node:fs';
import { arrivalMs, type SpotlabReplay, type TraceJob } from '../../planner/model';
import { launchToJobSeconds, startupBreakdown } from '../../planner/startup-profile';
import { type ModelRun, sampleTimeline, summarise } from '../../planner/stats';
import { parseTrace } from '../../planner/trace/parse';

/**
 * A stand-in for Spotlab's replay: every job waits exactly the boot time on its own spot instance,
 * which is what Spotlab aims at when nothing goes wrong.
 */
export const fakeReplay: SpotlabReplay = async (jobs, parameters) => {
  const bootSeconds = launchToJobSeconds(parameters.startup);
  const bootMs = bootSeconds * 1000;
  const startMs = Math.min(...jobs.map(arrivalMs));
  const instances = jobs.map((job) => ({
    fromMs: arrivalMs(job),
    toMs: arrivalMs(job) + bootMs + job.durationSeconds * 1000,
    spot: true,
  }));
  const run: ModelRun = {
    waitsSeconds: jobs.map(() => bootSeconds),
    instances,
    pending: jobs.map((job) => ({ fromMs: arrivalMs(job), toMs: arrivalMs(job) + bootMs })),
    extraUSD: 0,
    leftovers: 0,
    startMs,
    endMs: Math.max(...instances.map((life) => life.toMs)),
  };
  return {
    name: 'Spotlab',
    summary: summarise(run, parameters.onDemandUSDPerHour, parameters.spotDiscount),
    timeline: sampleTimeline(run),
    waitsSeconds: run.waitsSeconds,
    startup: [startupBreakdown(parameters.startup)],
  };
};

/** A trace of test/fixtures/traces or the bundled sample, parsed. */
export function traceFixture(name: 'small.csv' | 'sample'): TraceJob[] {
  const url =
    name === 'sample'
      ? new URL('../../planner/samples/sample-trace.csv', import.meta.url)
      : new URL(`../fixtures/traces/${name}`, import.meta.url);
  return parseTrace(readFileSync(url, 'utf8'), 'csv', name);
}

/** A job arriving `atSeconds` after 09:00 for `seconds`, untagged. */
export function job(atSeconds: number, seconds: number): TraceJob {
  return {
    project: 1,
    createdAtMs: Date.parse('2026-03-02T09:00:00Z') + atSeconds * 1000,
    durationSeconds: seconds,
    tags: [],
  };
}
