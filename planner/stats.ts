import type { RunSummary, TimelinePoint } from '../report/model';

/** Nearest-rank percentile (the one bench/webhook.ts reports): 0 for no values. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** Rounds to `digits` decimals, for figures people read. */
export const round = (value: number, digits = 1): number => Number(value.toFixed(digits));

/** A half-open span of simulated time, `[fromMs, toMs)`. */
export interface Span {
  readonly fromMs: number;
  readonly toMs: number;
}

/** One instance's life in a model, and how it was bought. */
export interface InstanceLife extends Span {
  readonly spot: boolean;
}

// EC2 bills Linux instances per second with a 60-second minimum.
const BILLED_MINIMUM_MS = 60_000;

/** Billed minutes of an instance: per second, at least one minute. */
export function billedMinutes(life: Span): number {
  return Math.max(life.toMs - life.fromMs, BILLED_MINIMUM_MS) / 60_000;
}

/** What a model hands over to be summarised. */
export interface ModelRun {
  readonly waitsSeconds: readonly number[];
  readonly instances: readonly InstanceLife[];
  /** Spans during which a job waited for a runner (retries included), for the timeline. */
  readonly pending: readonly Span[];
  /** USD on top of the instances: an always-on manager VM, for instance. */
  readonly extraUSD: number;
  /** Instances still running when the trace ends. */
  readonly leftovers: number;
  readonly startMs: number;
  readonly endMs: number;
}

/** The summary of a model run, priced with `onDemandUSDPerHour` and the spot discount. */
export function summarise(run: ModelRun, onDemandUSDPerHour: number, spotDiscount: number): RunSummary {
  let minutes = 0;
  let usd = run.extraUSD;
  for (const life of run.instances) {
    const billed = billedMinutes(life);
    minutes += billed;
    usd += (billed / 60) * onDemandUSDPerHour * (life.spot ? 1 - spotDiscount : 1);
  }
  const spot = run.instances.filter((life) => life.spot).length;
  return {
    jobs: run.waitsSeconds.length,
    waitP50s: round(percentile(run.waitsSeconds, 50)),
    waitP95s: round(percentile(run.waitsSeconds, 95)),
    instancesLaunched: { spot, onDemand: run.instances.length - spot },
    instanceMinutes: round(minutes),
    costUSD: round(usd, 2),
    leftovers: run.leftovers,
  };
}

/** Pending jobs and running instances sampled every `stepMs` (a minute by default) over the run. */
export function sampleTimeline(run: ModelRun, stepMs = 60_000): TimelinePoint[] {
  const pending = counter(run.pending);
  const running = counter(run.instances);
  const points: TimelinePoint[] = [];
  for (let at = run.startMs; at <= run.endMs; at += stepMs)
    points.push({ atMs: at - run.startMs, pendingJobs: pending(at), runningInstances: running(at) });
  return points;
}

/** Counts spans covering an instant; instants must be asked in increasing order. */
function counter(spans: readonly Span[]): (atMs: number) => number {
  const starts = spans.map((span) => span.fromMs).sort((a, b) => a - b);
  const ends = spans.map((span) => span.toMs).sort((a, b) => a - b);
  let started = 0;
  let ended = 0;
  return (atMs) => {
    while (started < starts.length && (starts[started] ?? Infinity) <= atMs) started += 1;
    while (ended < ends.length && (ends[ended] ?? Infinity) <= atMs) ended += 1;
    return started - ended;
  };
}
