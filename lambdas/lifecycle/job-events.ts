import { instanceOfRunner } from '../shared/gitlab/port';
import type { LifecycleMessage } from '../shared/job-messages';
import type { Placement } from '../shared/job-table/views';
import { type CleanupDeps, cleanUpInstance } from './cleanup';
import { requeueDisplaced } from './displaced-demand';
import type { FinishedStatus } from './events';
import type { Outcome } from './outcome';

/** Where the job of a message runs, when a Spotlab runner took it; undefined otherwise. */
export function placementOf(message: LifecycleMessage): Placement | undefined {
  const instanceId = instanceOfRunner(message.runnerDescription);
  if (message.runnerId === null || instanceId === undefined) return undefined;
  return { runnerId: message.runnerId, instanceId };
}

/**
 * `running`: records which runner (and so which instance) took the job. A runner Spotlab did not
 * create is not ours, and nothing is recorded. The item is created when absent, so a `pending`
 * delivered after `running` finds the job taken and launches nothing.
 * @throws what the journal throws (the caller retries the message).
 */
export async function onRunning(message: LifecycleMessage, deps: CleanupDeps): Promise<Outcome> {
  const placement = placementOf(message);
  if (placement === undefined) {
    deps.observer.ignored('not_our_runner', message.jobId);
    return 'done';
  }
  const outcome = await deps.journal.recordRunning(message.jobId, message.projectId, placement);
  if (!outcome.recorded) {
    // A duplicate, or a `running` that arrived after the job finished: status never moves back.
    deps.observer.ignored('already_recorded', message.jobId);
    return 'done';
  }
  const waitMs =
    message.queuedDurationSeconds === null ? undefined : Math.round(message.queuedDurationSeconds * 1000);
  deps.observer.jobRunning(message.jobId, placement.instanceId, outcome.pool ?? 'unknown', waitMs);
  // A job launched elsewhere in the same pool leaves that instance to the jobs it displaced here (its
  // runner takes the next pending job); one with no launch of its own leaves them with nothing.
  if (outcome.launchedOn !== placement.instanceId) {
    const sparePool = outcome.launchedOn === undefined ? undefined : outcome.pool;
    await requeueDisplaced(message, placement.instanceId, sparePool, deps);
  }
  return 'done';
}

/**
 * `success` / `failed` / `canceled`: for a job a Spotlab runner ran, terminates its instance if it
 * is still alive, deletes the runner and the token parameter at once (not at the next sweep), then
 * records the job finished. The record comes last, so a message retried after a partial failure
 * redoes the cleanup, and a finished job means a cleaned-up one: a duplicate does nothing. The
 * finished message names its runner too, so a `finished` that overtook `running` cleans up alike,
 * and the late `running` then finds the job finished.
 * @throws what the journal throws (the caller retries the message).
 */
export async function onFinished(
  message: LifecycleMessage,
  status: FinishedStatus,
  deps: CleanupDeps,
): Promise<Outcome> {
  const existing = await deps.journal.get(message.jobId);
  if (existing?.state === 'finished') {
    deps.observer.ignored('already_finished', message.jobId);
    return 'done';
  }
  const placement = placementOf(message);
  if (placement === undefined) {
    // Cancelled while pending, or run by a runner that is not ours: nothing of ours to clean up.
    // A job scale-up launched for is still marked, so its item tells the truth.
    if (existing === undefined) deps.observer.ignored('not_our_runner', message.jobId);
    else await deps.journal.recordFinished(message.jobId, message.projectId, status, undefined);
    return 'done';
  }
  const cleaned = await cleanUpInstance(
    placement.instanceId,
    [placement.runnerId],
    'job_finished',
    true,
    deps,
  );
  if (cleaned === 'retry') return 'retry';
  await deps.journal.recordFinished(message.jobId, message.projectId, status, placement);
  return 'done';
}
