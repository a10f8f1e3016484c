import type { Placement } from '../shared/job-table/views';
import type { FinishedStatus } from './events';
import type { CleanupReason } from './observer';

/** Terminate an instance, when it is still alive and this stack's. */
export interface TerminateAction {
  readonly kind: 'terminate';
  readonly instanceId: string;
  readonly reason: CleanupReason;
}

/**
 * Delete a GitLab runner (GitLab counts registered runners against a quota), then record it
 * deleted on the job items that name it, so no other cleanup path deletes it again.
 */
export interface DeleteRunnerAction {
  readonly kind: 'delete-runner';
  readonly runnerId: number;
  /** The job items that name the runner: where the deletion is recorded. */
  readonly jobIds: readonly number[];
  readonly reason: CleanupReason;
}

/** A runner a job item names. */
export interface NamedRunner {
  readonly runnerId: number;
  readonly jobId: number;
}

/** Delete an instance's runner token parameter. */
export interface DeleteTokenAction {
  readonly kind: 'delete-token';
  readonly instanceId: string;
}

/** One step of cleaning up after an instance; each idempotent. */
export type CleanupAction = TerminateAction | DeleteRunnerAction | DeleteTokenAction;

/**
 * Give job `jobId`, launched for `instanceId` and still waiting for it, back to scale-up: another
 * job took that instance's runner. `sparePool`: leave it when it was launched in that pool.
 */
export interface GiveBackAction {
  readonly kind: 'give-back';
  readonly jobId: number;
  readonly instanceId: string;
  readonly sparePool: string | undefined;
  /** When the `running` that displaced it reached the webhook. */
  readonly receivedAt: string;
}

/** What a decision asks the lifecycle to do, as plain data; `perform-actions` carries it out. */
export type LifecycleAction =
  | CleanupAction
  | GiveBackAction
  /** Mark the job interrupted by the spot reclaim of `instanceId`, once. */
  | { readonly kind: 'mark-interrupted'; readonly jobId: number; readonly instanceId: string }
  /** Retry an interrupted job through GitLab, deciding again on a consistent read. */
  | { readonly kind: 'retry'; readonly jobId: number }
  /** Record the job finished; with a placement, its instance, runner and token cleaned up. */
  | {
      readonly kind: 'record-finished';
      readonly jobId: number;
      readonly projectId: number;
      readonly status: FinishedStatus;
      readonly placement: Placement | undefined;
    };

/**
 * Terminate (when asked), delete every runner once, then delete the token: the cleanup order.
 * @param runners the runners to delete, each with an item that names it (one runner may be named
 * by several: its launch's job and the job it ran); callers leave out those recorded deleted.
 */
export function cleanupActions(
  instanceId: string,
  runners: readonly NamedRunner[],
  reason: CleanupReason,
  terminate: boolean,
): CleanupAction[] {
  const jobsOf = new Map<number, number[]>();
  for (const { runnerId, jobId } of runners) {
    const jobIds = jobsOf.get(runnerId) ?? [];
    if (!jobIds.includes(jobId)) jobIds.push(jobId);
    jobsOf.set(runnerId, jobIds);
  }
  return [
    ...(terminate ? [{ kind: 'terminate', instanceId, reason } as const] : []),
    ...[...jobsOf].map(
      ([runnerId, jobIds]) => ({ kind: 'delete-runner', runnerId, jobIds, reason }) as const,
    ),
    { kind: 'delete-token', instanceId },
  ];
}
