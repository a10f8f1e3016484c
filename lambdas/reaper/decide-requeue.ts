import type { PendingJob } from '../shared/gitlab/port';
import type { DemandMessage } from '../shared/job-messages';
import type { JobItem } from '../shared/job-table/views';

/**
 * The projects whose pending jobs a sweep lists: those of the job table's open items and the
 * configured ones (a project whose jobs are all finished is polled only when configured: the
 * sweep no longer reads the week of history that named it),
 * rotated by the minute so that a page budget smaller than the project count still reaches every
 * project within a few sweeps.
 */
export function projectsToPoll(
  jobs: readonly JobItem[],
  configured: readonly number[],
  nowMs: number,
): number[] {
  const ids = [
    ...new Set([...configured, ...jobs.flatMap((j) => (j.projectId === undefined ? [] : [j.projectId]))]),
  ];
  ids.sort((a, b) => a - b);
  if (ids.length === 0) return ids;
  const start = Math.floor(nowMs / 60_000) % ids.length;
  return [...ids.slice(start), ...ids.slice(0, start)];
}

/**
 * The pending jobs whose demand is lost: older than the grace period (the webhook's own demand has
 * had time to arrive and claim) and with no job item, or an item the reaper marked `lost` (its
 * instance vanished before it ran). A job claimed, launched, running or finished has capacity on
 * the way or needs none. Each job at most once per sweep.
 */
export function decideRequeue(
  pending: readonly PendingJob[],
  jobs: readonly Pick<JobItem, 'jobId' | 'state'>[],
  lostNow: ReadonlySet<number>,
  nowMs: number,
  graceSeconds: number,
): PendingJob[] {
  const stateOf = new Map(jobs.map((j) => [j.jobId, j.state]));
  const chosen = new Map<number, PendingJob>();
  for (const job of pending) {
    const createdMs = Date.parse(job.createdAt);
    if (Number.isNaN(createdMs) || nowMs - createdMs <= graceSeconds * 1000) continue;
    const state = stateOf.get(job.id);
    if (state === undefined || state === 'lost' || lostNow.has(job.id)) chosen.set(job.id, job);
  }
  return [...chosen.values()];
}

/**
 * The pending jobs past the grace period that none of the sweep's open items is for: the only
 * ones whose item {@link decideRequeue} must read by key (a closed item is claimed-then-skipped,
 * finished, or `lost` and cleaned up).
 */
export function pendingToLookUp(
  pending: readonly PendingJob[],
  jobs: readonly Pick<JobItem, 'jobId'>[],
  nowMs: number,
  graceSeconds: number,
): number[] {
  const open = new Set(jobs.map((j) => j.jobId));
  return pending.flatMap((job) => {
    const createdMs = Date.parse(job.createdAt);
    if (Number.isNaN(createdMs) || nowMs - createdMs <= graceSeconds * 1000) return [];
    return open.has(job.id) ? [] : [job.id];
  });
}

/** The demand message the webhook would have written for `job` (see `demandMessageSchema`). */
export function toDemandMessage(job: PendingJob, nowMs: number): DemandMessage {
  return {
    v: 1,
    kind: 'demand',
    status: 'pending',
    jobId: job.id,
    projectId: job.projectId,
    pipelineId: job.pipelineId,
    jobName: job.name,
    // Scale-up dedupes on its claim keyed by job id, not on this key; it only names the source.
    idempotencyKey: `reaper:${job.id}:pending`,
    receivedAt: new Date(nowMs).toISOString(),
    queuedDurationSeconds: job.queuedDurationSeconds,
    // The job listing does not carry `retries_count`; scale-up does not read it.
    retriesCount: 0,
    createdAt: job.createdAt,
  };
}
