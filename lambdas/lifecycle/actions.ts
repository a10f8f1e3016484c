import type { Placement } from '../shared/job-table/views';
import type { FinishedStatus } from './events';
import type { CleanupReason } from './observer';

/** Terminate an instance, when it is still alive and this stack's. */
export interface TerminateAction {
  readonly kind: 'terminate';
  readonly instanceId: string;
  readonly reason: CleanupReason;
}

/** Delete a GitLab runner (GitLab counts registered runners against a quota). */
export interface DeleteRunnerAction {
  readonly kind: 'delete-runner';
  readonly runnerId: number;
  readonly reason: CleanupReason;
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

/** Terminate (when asked), delete every runner once, then delete the token: the cleanup order. */
export function cleanupActions(
  instanceId: string,
  runnerIds: readonly number[],
  reason: CleanupReason,
  terminate: boolean,
): CleanupAction[] {
  return [
    ...(terminate ? [{ kind: 'terminate', instanceId, reason } as const] : []),
    ...[...new Set(runnerIds)].map((runnerId) => ({ kind: 'delete-runner', runnerId, reason }) as const),
    { kind: 'delete-token', instanceId },
  ];
}
