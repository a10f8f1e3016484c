import type { JobRecord } from '../shared/job-table/record';
import type { Placement } from '../shared/job-table/views';
import { cleanupActions, type LifecycleAction } from './actions';
import type { RunnerClaim, RunnerVerdict } from './decide-placement';
import type { FinishedStatus } from './events';

/** What a `success` / `failed` / `canceled` hook asks for. */
export type FinishedPlan =
  /** Recorded finished already, so cleaned up already: a duplicate does nothing. */
  | { readonly kind: 'already_finished' }
  /** A job Spotlab never saw, run by a runner not its own. */
  | { readonly kind: 'not_our_runner' }
  /**
   * Named like Spotlab's runner, never recorded by a launch of Spotlab's: acknowledged, nothing
   * terminated, deleted or recorded. A forged hook, or a runner someone else named `spotlab job …`.
   */
  | { readonly kind: 'unrecorded_runner'; readonly claim: RunnerClaim }
  /** Steps to take in order; a cleanup step that fails keeps the message for a retry. */
  | { readonly kind: 'act'; readonly actions: readonly LifecycleAction[] };

/** The job a finished hook is about. */
export interface FinishedJob {
  readonly jobId: number;
  readonly projectId: number;
  readonly status: FinishedStatus;
}

/**
 * Decides a finished hook from the job's item (read consistently) and the verdict on its runner.
 * For a job a recorded Spotlab runner ran: terminate the instance, delete the runner and the token
 * parameter at once (not at the next sweep), then record the job finished. The record comes last,
 * so a message retried after a partial failure redoes the cleanup, and a finished job means a
 * cleaned-up one. A job cancelled while pending, or run by a runner that is not Spotlab's, has
 * nothing to clean up; a job scale-up launched for is still marked, so its item tells the truth.
 */
export function decideFinished(
  job: FinishedJob,
  existing: JobRecord | undefined,
  verdict: RunnerVerdict,
): FinishedPlan {
  if (existing?.state === 'finished') return { kind: 'already_finished' };
  if (verdict.kind === 'unrecorded') return { kind: 'unrecorded_runner', claim: verdict.claim };
  const record = (placement: Placement | undefined): LifecycleAction => ({
    kind: 'record-finished',
    ...job,
    placement,
  });
  if (verdict.kind === 'not_ours')
    return existing === undefined
      ? { kind: 'not_our_runner' }
      : { kind: 'act', actions: [record(undefined)] };
  const { placement } = verdict;
  // A runner recorded deleted (an instance-gone cleanup got there first) is not deleted again.
  const runners = verdict.deleted
    ? []
    : [job.jobId, ...verdict.namedBy].map((jobId) => ({ runnerId: placement.runnerId, jobId }));
  return {
    kind: 'act',
    actions: [...cleanupActions(placement.instanceId, runners, 'job_finished', true), record(placement)],
  };
}
