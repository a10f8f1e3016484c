import { JOB_ITEM_TTL_SECONDS } from '../lambdas/shared/job-table/lifetimes';
import type { FinishedStatus, JobRecord } from '../lambdas/shared/job-table/record';
import type { JobState } from '../lambdas/shared/job-table/states';
import type { LaunchRecord, Placement } from '../lambdas/shared/job-table/views';

/**
 * A job item as the in-memory table keeps it: `launch` is what scale-up launched, `placement` where
 * the job ran (in DynamoDB it overwrites the launch's instanceId and runnerId).
 */
export interface MemoryJobItem {
  state: JobState;
  readonly projectId: number;
  /** Absent on an item the lifecycle consumer created (its `running` came before `pending`). */
  claimedAt?: number;
  /** Epoch seconds of the launch, as scale-up records it. */
  launchedAt?: number;
  expiresAt: number;
  launch?: LaunchRecord;
  skipReason?: string;
  placement?: Placement;
  finishedStatus?: FinishedStatus;
  interrupted?: boolean;
  retried?: boolean;
  cancelledForRetry?: boolean;
  launchCleanedUp?: boolean;
  /** A spot warning came for the launch's instance (the lifecycle's mark). */
  launchWarned?: boolean;
  /** Epoch seconds of the first such warning. */
  launchWarnedAt?: number;
  /** Epoch seconds when a sweep first found the launch's instance gone (the reaper's mark). */
  launchGoneAt?: number;
  retriedJobId?: number;
  cleanedUp?: boolean;
  /** Runners a cleanup deleted (the item's `runnersDeleted` set). */
  runnersDeleted?: Set<number>;
}

/**
 * The instance an item names: where its job ran, else the one launched for it (the key of the
 * table's instance index).
 */
export function instanceOf(item: MemoryJobItem): string | undefined {
  return item.placement?.instanceId ?? item.launch?.instanceId;
}

/** Job `jobId`'s item as the DynamoDB decoder would read it. */
export function toRecord(jobId: number, item: MemoryJobItem): JobRecord {
  // Every write but recordLaunch moves `expiresAt` to its own time + TTL: a write time too.
  // A sweep reads every open item this way each minute: no arrays for three numbers.
  const touchedSeconds = Math.max(
    item.claimedAt ?? 0,
    item.launchedAt ?? 0,
    item.expiresAt - JOB_ITEM_TTL_SECONDS,
  );
  return {
    jobId,
    state: item.state,
    projectId: item.projectId,
    instanceId: instanceOf(item),
    runnerId: item.placement?.runnerId ?? item.launch?.runnerId,
    pool: item.launch?.pool,
    finishedStatus: item.finishedStatus,
    interrupted: item.interrupted === true,
    retried: item.retried === true,
    cancelledForRetry: item.cancelledForRetry === true,
    cleanedUp: item.cleanedUp === true,
    launchInstanceId: item.launch?.instanceId,
    launchRunnerId: item.launch?.runnerId,
    launchCleanedUp: item.launchCleanedUp === true,
    launchWarnedAtMs: item.launchWarnedAt === undefined ? undefined : item.launchWarnedAt * 1000,
    launchGoneAtMs: item.launchGoneAt === undefined ? undefined : item.launchGoneAt * 1000,
    runnersDeleted: item.runnersDeleted === undefined ? [] : [...item.runnersDeleted],
    touchedAtMs: touchedSeconds > 0 ? touchedSeconds * 1000 : undefined,
  };
}
