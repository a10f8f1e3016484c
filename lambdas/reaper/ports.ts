import type {
  GitlabApi,
  GitlabJobListing,
  GitlabRunnerActivity,
  GitlabRunnerListing,
} from '../shared/gitlab/port';

/** An instance of this stack that EC2 lists as pending or running. */
export interface ReaperInstance {
  readonly instanceId: string;
  /** The `spotlab:pool` tag; `unknown` when missing. */
  readonly pool: string;
  readonly instanceType: string;
  readonly launchedAtMs: number;
}

/** EC2 as the reaper needs it. Production: DescribeInstances and TerminateInstances. */
export interface ReaperFleet {
  /** Every pending or running instance carrying this stack's tag. */
  live(): Promise<readonly ReaperInstance[]>;
  /** Terminating an instance that is already gone succeeds (TerminateInstances is idempotent). */
  terminate(instanceIds: readonly string[]): Promise<void>;
  /**
   * The EC2 state name (`pending`, `running`, `shutting-down`, `terminated`, `stopping`,
   * `stopped`) of each instance EC2 knows among `instanceIds`, whatever stack launched it. An id
   * left out is unknown to EC2: it lists a terminated instance for about an hour, then forgets it.
   */
  states(instanceIds: readonly string[]): Promise<ReadonlyMap<string, string>>;
}

/** A runner token parameter, by name only: the reaper never decrypts one. */
export interface TokenParameter {
  readonly instanceId: string;
  readonly lastModifiedMs: number;
}

/** The token parameters of this stack. */
export interface TokenParameters {
  list(): Promise<readonly TokenParameter[]>;
  /** Deleting an absent parameter succeeds. */
  delete(instanceId: string): Promise<void>;
}

/** The GitLab calls the reaper makes. */
export type ReaperGitlab = Pick<GitlabApi, 'deleteRunner'> &
  GitlabJobListing &
  GitlabRunnerActivity &
  GitlabRunnerListing;

/** One CreateFleet of ready instances for a pool. */
export interface WarmLaunch {
  readonly pool: string;
  readonly launchTemplateId: string;
  readonly instanceTypes: readonly string[];
  readonly subnetIds: readonly string[];
  readonly count: number;
  /** Idempotency token (≤ 64 ASCII): two sweeps at once planning the same launch get one. */
  readonly clientToken: string;
}

/** EC2 as keeping warm capacity needs it. Production: CreateFleet (instant, spot). */
export interface WarmLauncher {
  /** @returns the ids of the instances EC2 started (CreateFleet may start fewer than asked). */
  launch(request: WarmLaunch): Promise<readonly string[]>;
}
