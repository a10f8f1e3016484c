import type { FinishedStatus, JobRecord, LaunchedRunner } from './record';
import type { JobState } from './states';

/**
 * What each consumer may do with the one job table: scale-up's {@link JobLedger}, the lifecycle's
 * {@link JobJournal}, the reaper's {@link JobSweepView}. Each has one DynamoDB adapter in this
 * folder and one in-memory implementation (`sim/in-memory-job-table.ts`); the transitions they
 * may make are `states.ts`'s table. Every write is conditional.
 */

/** What scale-up launched for a job. */
export interface LaunchRecord {
  readonly instanceId: string;
  readonly runnerId: number;
  readonly pool: string;
  readonly lifecycle: 'spot' | 'on-demand';
}

/**
 * The job left `claimed` under the claim holder's feet: the lifecycle consumer recorded it running
 * or finished on another runner meanwhile. Not a failure: the launch for it is no longer needed.
 */
export class JobMovedOnError extends Error {
  override readonly name = 'JobMovedOnError';
  constructor(readonly jobId: number) {
    super(`job ${jobId} is no longer claimed`);
  }
}

/**
 * Scale-up's view: claims written conditionally so that a job triggers at most one launch however
 * often and in whatever order its events arrive.
 */
export interface JobLedger {
  /** True when this call won the job; false when it was claimed, launched or finished already. */
  claim(jobId: number, projectId: number): Promise<boolean>;
  /** Gives a claim back so a later delivery can launch (the launch did not happen). */
  release(jobId: number): Promise<void>;
  /** @throws JobMovedOnError when the job is no longer `claimed`. */
  recordLaunch(jobId: number, record: LaunchRecord): Promise<void>;
  /**
   * The job needs no launch: not pending any more, or no pool serves it.
   * @throws JobMovedOnError when the job is no longer `claimed`.
   */
  recordSkip(jobId: number, reason: string): Promise<void>;
}

/** Where a job runs: the runner that took it, and the instance that runner lives on. */
export interface Placement {
  readonly runnerId: number;
  readonly instanceId: string;
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
 * The lifecycle consumer's view. Duplicate and out-of-order events (GitLab delivers late, twice,
 * or not in order; EventBridge at least once) leave the same item behind.
 */
export interface JobJournal extends RunnerDeletions {
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
  /** Every job item that names `instanceId` (the instance index; eventually consistent). */
  findByInstance(instanceId: string): Promise<readonly JobRecord[]>;
  /**
   * The runners launches registered on `instanceId` (the launch index; eventually consistent). A
   * runner takes any job its tags cover, so the job it runs may be another.
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

/** A job as the reaper's sweep reads it. */
export type JobItem = Pick<
  JobRecord,
  | 'jobId'
  | 'state'
  | 'projectId'
  | 'instanceId'
  | 'runnerId'
  | 'launchInstanceId'
  | 'launchRunnerId'
  | 'launchCleanedUp'
  | 'launchWarnedAtMs'
  | 'launchGoneAtMs'
  | 'cleanedUp'
  | 'runnersDeleted'
  | 'touchedAtMs'
>;

/** Recording that a runner was deleted, on the items that name it; the lifecycle's and the reaper's. */
export interface RunnerDeletions {
  /**
   * Records on job `jobId`'s item that runner `runnerId` is deleted (GitLab answered 2xx or 404),
   * so that no other cleanup path deletes it again. Idempotent; nothing when the item is gone.
   */
  markRunnerDeleted(jobId: number, runnerId: number): Promise<void>;
}

/**
 * The reaper's view: it reads the open items (those `needsReaper` in `states.ts` keeps: what is
 * alive, not the week of history the table holds) and marks what it cleaned up.
 */
export interface JobSweepView extends RunnerDeletions {
  /** Every open item, in no promised order (the sparse `open` index; eventually consistent). */
  open(): Promise<readonly JobItem[]>;
  /** The states of those of `jobIds` that have an item, read by key (eventually consistent). */
  statesOf(jobIds: readonly number[]): Promise<ReadonlyMap<number, JobState>>;
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
