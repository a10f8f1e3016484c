import type { DemandQueue } from '../shared/adapters/sqs-queue';
import type { GitlabApi, GitlabJobControl, GitlabRunnerActivity } from '../shared/gitlab/port';
import type { TokenStore } from '../shared/token-store';
import type { FinishedStatus } from './events';
import type { LifecycleObserver } from './observer';

/**
 * A job item of the job table as the lifecycle consumer reads it. The table is shared with
 * scale-up (`claimed`, `launched`, `skipped`); the lifecycle adds `running` and `finished`. Once a
 * job runs, `instanceId`/`runnerId` name the instance and runner it runs on, which need not be
 * the ones launched for it: a runner takes any pending job its tags cover.
 */
export interface JobRecord {
  readonly jobId: number;
  /** The item's state; a string, because other writers may add states this code does not know. */
  readonly state: string;
  readonly projectId: number | undefined;
  readonly instanceId: string | undefined;
  readonly runnerId: number | undefined;
  /** The pool that launched for this job, when scale-up did. */
  readonly pool: string | undefined;
  /**
   * The instance scale-up launched for this job and the runner it registered there (the launch
   * record, `launchInstanceId`/`launchRunnerId`), when it did: what ties a runner to an instance.
   */
  readonly launch: Placement | undefined;
  /** How the job ended, once `state` is `finished`. */
  readonly finishedStatus: FinishedStatus | undefined;
  /** A spot interruption warning came for the instance while the job ran on it. */
  readonly interrupted: boolean;
  /** The interrupted job was retried (or GitLab refused to); it is never retried twice. */
  readonly retried: boolean;
  /** Spotlab cancelled the interrupted job to retry it: its `canceled` end is Spotlab's own. */
  readonly cancelledForRetry: boolean;
  /** The job finished on a Spotlab runner and its instance, runner and token were cleaned up. */
  readonly cleanedUp: boolean;
}

/** Where a job runs: the runner that took it, and the instance that runner lives on. */
export interface Placement {
  readonly runnerId: number;
  readonly instanceId: string;
}

/** A runner a launch registered on an instance, and the job the launch was for. */
export interface LaunchedRunner {
  readonly jobId: number;
  readonly runnerId: number;
  /** A spot interruption warning came for the instance. */
  readonly warned: boolean;
}

/** What recording `running` did. */
export interface RunningOutcome {
  /** False when the job was running or finished already: status never moves back. */
  readonly recorded: boolean;
  /** The pool scale-up launched for the job, if it did. */
  readonly pool: string | undefined;
  /** The instance scale-up launched for the job before it ran, if it did. */
  readonly launchedOn: string | undefined;
}

/**
 * The job table as the lifecycle consumer writes it. Every write is conditional, so duplicate and
 * out-of-order events (GitLab delivers late, twice, or not in order; EventBridge at least once)
 * leave the same item behind.
 */
export interface JobJournal {
  /** The job's item, read consistently; undefined when there is none. */
  get(jobId: number): Promise<JobRecord | undefined>;
  /**
   * Records that the job runs on `placement`, creating the item when absent (so a later `pending`
   * cannot claim it), unless the job is running or finished already.
   */
  recordRunning(jobId: number, projectId: number, placement: Placement): Promise<RunningOutcome>;
  /**
   * Records that the job ended and, with a placement, that the instance, runner and token it ran
   * with were cleaned up. A finished job stays finished.
   * @returns false when it was finished already.
   */
  recordFinished(
    jobId: number,
    projectId: number,
    status: FinishedStatus,
    placement: Placement | undefined,
  ): Promise<boolean>;
  /** Every job item that names `instanceId` (the `byInstance` index; eventually consistent). */
  findByInstance(instanceId: string): Promise<readonly JobRecord[]>;
  /**
   * The runners launches registered on `instanceId` (the `byLaunchInstance` index; eventually
   * consistent). A runner takes any job its tags cover, so the job it runs may be another.
   */
  findLaunchedOn(instanceId: string): Promise<readonly LaunchedRunner[]>;
  /**
   * Gives job `jobId` back to scale-up (state `lost`, which a claim may take) when it is still
   * `launched` for `instanceId` and another job took that instance's runner; unless it was launched
   * in `sparePool`, where the other job's own instance is left spare for it.
   * @returns the job's project when it was given back; undefined when it had moved on.
   */
  markDisplaced(
    jobId: number,
    instanceId: string,
    sparePool: string | undefined,
  ): Promise<number | undefined>;
  /** Records on the launch record of job `jobId` that its instance `instanceId` was warned. */
  markLaunchWarned(jobId: number, instanceId: string): Promise<void>;
  /**
   * Marks a job running on `instanceId`, or failed there, as interrupted.
   * @returns false when it neither runs nor failed there, or was marked already.
   */
  markInterrupted(jobId: number, instanceId: string): Promise<boolean>;
  /**
   * Records that an interrupted job was retried as `retriedJobId`, or, when undefined, that GitLab
   * refused the retry. @returns false when it was recorded already.
   */
  markRetried(jobId: number, retriedJobId: number | undefined): Promise<boolean>;
  /** Records, before cancelling it, that Spotlab cancels an interrupted job in order to retry it. */
  markCancelledForRetry(jobId: number): Promise<void>;
}

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

/** The ports the lifecycle consumer reads and acts through. */
export interface LifecyclePorts {
  readonly gitlab: LifecycleGitlab;
  readonly instances: Instances;
  readonly tokens: TokenStore;
  readonly journal: JobJournal;
  /** Where demand goes when a job's launched instance was taken by another job. */
  readonly demand: DemandQueue;
  readonly observer: LifecycleObserver;
}
