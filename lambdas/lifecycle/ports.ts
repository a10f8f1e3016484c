import type { DemandQueue } from '../shared/adapters/sqs-queue';
import type { GitlabApi, GitlabJobControl, GitlabRunnerActivity } from '../shared/gitlab/port';
import type { InterruptionLog } from '../shared/interruptions/port';
import type { JobJournal } from '../shared/job-table/views';
import type { TokenStore } from '../shared/token-store';
import type { LifecycleObserver } from './observer';

/** EC2 as the lifecycle consumer needs it. */
export interface LifecycleFleet {
  /** Those of `instanceIds` that carry this stack's tag and are not shutting down or terminated. */
  live(instanceIds: readonly string[]): Promise<readonly string[]>;
  /** Terminating an instance that is already gone succeeds (EC2's TerminateInstances is idempotent). */
  terminate(instanceIds: readonly string[]): Promise<void>;
  /**
   * Whether EC2 ended this stack's instance to reclaim spot capacity (its state reason is
   * `Server.SpotInstanceTermination`): the ground truth when the spot warning was handled late.
   * False for an instance EC2 no longer lists (about an hour after it ended).
   */
  reclaimedBySpot(instanceId: string): Promise<boolean>;
}

/** The GitLab calls the lifecycle consumer makes. */
export type LifecycleGitlab = Pick<GitlabApi, 'deleteRunner'> & GitlabJobControl & GitlabRunnerActivity;

/** The ports the lifecycle consumer reads and acts through. */
export interface LifecyclePorts {
  readonly gitlab: LifecycleGitlab;
  readonly instances: LifecycleFleet;
  readonly tokens: TokenStore;
  readonly journal: JobJournal;
  /** Where demand goes when a job's launched instance was taken by another job. */
  readonly demand: DemandQueue;
  /** Where interruptions that hit a job are noted for the pool's cool-down; without it, nowhere. */
  readonly interruptions?: InterruptionLog;
  readonly observer: LifecycleObserver;
}
