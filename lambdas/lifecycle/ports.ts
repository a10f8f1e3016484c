import type { GitlabApi, GitlabJobControl, GitlabRunnerActivity } from '../shared/gitlab/port';

/** EC2 as the lifecycle consumer needs it. */
export interface Instances {
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
