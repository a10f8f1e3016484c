import type { SpareReason, TerminationReason } from './decide-reaping';

/**
 * What the reaper removed; the `kind` dimension of `OrphansReaped`. `runner_unrecorded`: a runner
 * no job item named (a failed cleanup left it), found by listing GitLab's runners.
 */
export type OrphanKind = TerminationReason | 'runner' | 'runner_unrecorded' | 'token';

/** A sweep step; the `stage` dimension of `ReaperFailures`. */
export type ReaperStage =
  | 'describe'
  | 'scan'
  | 'list_tokens'
  | 'terminate'
  | 'runner'
  | 'runner_busy'
  | 'token'
  | 'mark'
  | 'list_pending'
  | 'read_states'
  | 'requeue'
  | 'list_runners'
  | 'instance_states'
  | 'warm'
  | 'warm_launch';

/** What one sweep did, in counts. */
export interface SweepSummary {
  readonly terminated: number;
  readonly runnersDeleted: number;
  readonly tokensDeleted: number;
  readonly jobsLost: number;
  readonly requeued: number;
  /** Pages of pending jobs read. */
  readonly pagesRead: number;
  /** Of `runnersDeleted`, those no job item named. */
  readonly unrecordedRunnersDeleted: number;
  readonly runnerPagesRead: number;
  readonly failures: number;
}

/** What the sweep reports; production logs and emits metrics, tests count. */
export interface ReaperObserver {
  reaped(kind: OrphanKind, subject: string | number): void;
  /** An instance the job table shows idle was kept: its runner is busy, or GitLab could not say. */
  spared(reason: SpareReason, instanceId: string): void;
  jobLost(jobId: number): void;
  demandRequeued(jobId: number, projectId: number): void;
  /** Running instances by pool, as DescribeInstances listed them, and their on-demand price. */
  fleetSeen(byPool: Readonly<Record<string, number>>, usdPerHour: number): void;
  gitlabAuthFailure(status: number): void;
  failed(stage: ReaperStage, subject: string | number | undefined, error: unknown): void;
  swept(summary: SweepSummary): void;
}

/** An observer that reports nothing. */
export const silentReaperObserver: ReaperObserver = {
  reaped: () => undefined,
  spared: () => undefined,
  jobLost: () => undefined,
  demandRequeued: () => undefined,
  fleetSeen: () => undefined,
  gitlabAuthFailure: () => undefined,
  failed: () => undefined,
  swept: () => undefined,
};
