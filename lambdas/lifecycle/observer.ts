import type { RunnerClaim } from './decide-placement';

/** Why an event needed nothing. */
export type IgnoredReason =
  | 'untracked_state'
  | 'duplicate_in_batch'
  | 'not_our_runner'
  | 'not_our_instance'
  | 'already_recorded'
  | 'already_finished'
  | 'already_interrupted'
  | 'already_cleaned_up'
  | 'job_succeeded';

/** Where a lifecycle step failed. */
export type LifecycleStage =
  | 'journal'
  | 'interruptions'
  | 'instances'
  | 'terminate'
  | 'runner'
  | 'token'
  | 'retry'
  | 'running_job'
  | 'displaced';

/** Why an instance was terminated or a runner deleted. */
export type CleanupReason = 'job_finished' | 'instance_gone';

/**
 * What the lifecycle consumer reports while it works. The handler turns these into logs and EMF
 * metrics; tests count them. Keeping the decision code free of Logger and Metrics keeps it pure.
 */
export interface LifecycleObserver {
  invalidMessage(messageId: string, problem: string): void;
  ignored(reason: IgnoredReason, subject: number | string): void;
  /** A Spotlab runner took a job; `waitMs` is how long the job queued in GitLab, when known. */
  jobRunning(jobId: number, instanceId: string, pool: string, waitMs: number | undefined): void;
  instanceTerminated(instanceId: string, reason: CleanupReason): void;
  runnerDeleted(runnerId: number, reason: CleanupReason): void;
  /** A spot interruption warning for an instance of this stack; `jobId` is the job it was running. */
  spotInterruption(instanceId: string, jobId: number | undefined): void;
  jobRetried(jobId: number, retriedJobId: number): void;
  /** A job launched for `instanceId` lost it to another job and was enqueued again. */
  demandDisplaced(jobId: number, instanceId: string): void;
  retryRefused(jobId: number): void;
  /**
   * A hook named a runner as Spotlab's (`spotlab job …`) that no launch of Spotlab's recorded:
   * acknowledged, nothing done. Forged, or a runner someone else named like Spotlab's.
   */
  unrecordedRunnerIgnored(jobId: number, claim: RunnerClaim, status: string): void;
  gitlabAuthFailure(status: number): void;
  failed(stage: LifecycleStage, subject: number | string, error: unknown): void;
}

/** An observer that ignores everything, for callers that only want the outcome. */
export const silentLifecycleObserver: LifecycleObserver = {
  invalidMessage: () => undefined,
  ignored: () => undefined,
  jobRunning: () => undefined,
  instanceTerminated: () => undefined,
  runnerDeleted: () => undefined,
  spotInterruption: () => undefined,
  jobRetried: () => undefined,
  demandDisplaced: () => undefined,
  retryRefused: () => undefined,
  unrecordedRunnerIgnored: () => undefined,
  gitlabAuthFailure: () => undefined,
  failed: () => undefined,
};
