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

/**
 * A job item as the reaper reads it from the job table scale-up and the lifecycle consumer write.
 * `state` is a string: other writers may add states this code does not know.
 */
export interface JobItem {
  readonly jobId: number;
  readonly state: string;
  readonly projectId: number | undefined;
  /** The instance the job runs on, else the one launched for it. */
  readonly instanceId: string | undefined;
  readonly runnerId: number | undefined;
  /**
   * The instance launched for this job and the runner registered on it. A runner takes any job
   * its tags allow, so the job may run elsewhere; these still tie that instance to its runner.
   */
  readonly launchInstanceId?: string | undefined;
  readonly launchRunnerId?: number | undefined;
  /** The launch record's runner and token were cleaned up (its instance went, serving another job). */
  readonly launchCleanedUp?: boolean;
  /** When a spot warning came for the launch's instance, in epoch milliseconds. */
  readonly launchWarnedAtMs?: number | undefined;
  /** When a sweep first found the launch's instance gone, in epoch milliseconds. */
  readonly launchGoneAtMs?: number | undefined;
  /** The instance, runner and token this item names were cleaned up already. */
  readonly cleanedUp: boolean;
  /** Latest of the item's claim, launch, running and finish times, in epoch milliseconds. */
  readonly touchedAtMs: number | undefined;
}

/** The job table as the reaper reads and marks it. Every write is conditional. */
export interface JobTable {
  /** Every job item (the table holds about 7 days of jobs: items expire by TTL). */
  scan(): Promise<readonly JobItem[]>;
  /**
   * Records that what the item names on `instanceId` was cleaned up.
   * @returns false when the item names another instance now, or was cleaned up already.
   */
  markCleanedUp(jobId: number, instanceId: string): Promise<boolean>;
  /**
   * Marks a launched job whose instance vanished before the job ran as `lost` (and cleaned up),
   * so a later claim may launch for it again.
   * @returns false when the job is not `launched` on `instanceId` any more.
   */
  markLost(jobId: number, instanceId: string): Promise<boolean>;
  /** Records when a sweep first found the launch record's instance gone (kept if set already). */
  markLaunchGone(jobId: number, launchInstanceId: string): Promise<void>;
  /**
   * Records that the runner this job's launch registered on `launchInstanceId` was cleaned up.
   * @returns false when it was recorded already.
   */
  markLaunchCleanedUp(jobId: number, launchInstanceId: string): Promise<boolean>;
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
