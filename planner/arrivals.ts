import { arrivalMs, type TraceJob } from './model';

/** A job as the models see it: when it asks for a runner, and for how long it runs. */
export interface Arrival {
  readonly atMs: number;
  readonly durationMs: number;
}

/** The trace's jobs in arrival order (ties keep the file's order, so runs are repeatable). */
export function arrivals(jobs: readonly TraceJob[]): Arrival[] {
  return jobs
    .map((job) => ({ atMs: arrivalMs(job), durationMs: job.durationSeconds * 1000 }))
    .sort((a, b) => a.atMs - b.atMs);
}

/** The most jobs running at once if every job started the moment it arrived. */
export function peakConcurrency(queue: readonly Arrival[]): number {
  const edges = queue.flatMap((job) => [
    { atMs: job.atMs, delta: 1 },
    { atMs: job.atMs + job.durationMs, delta: -1 },
  ]);
  // At equal times a job ending frees its runner before the next one starts.
  edges.sort((a, b) => a.atMs - b.atMs || a.delta - b.delta);
  let running = 0;
  let peak = 0;
  for (const edge of edges) {
    running += edge.delta;
    peak = Math.max(peak, running);
  }
  return peak;
}
