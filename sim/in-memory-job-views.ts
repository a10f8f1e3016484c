import { JOB_ITEM_TTL_SECONDS, STALE_CLAIM_SECONDS } from '../lambdas/shared/job-table/lifetimes';
import type { FinishedStatus, JobRecord, LaunchedRunner } from '../lambdas/shared/job-table/record';
import { canMove, type JobState } from '../lambdas/shared/job-table/states';
import {
  type JobItem,
  type JobJournal,
  type JobLedger,
  JobMovedOnError,
  type JobSweepView,
  type LaunchRecord,
  type Placement,
  type RunningOutcome,
} from '../lambdas/shared/job-table/views';
import { instanceOf, type MemoryJobItem, toRecord } from './in-memory-job-item';
import type { InMemoryJobTable } from './in-memory-job-table';
import { ProvisionedThroughputExceeded, type ThrottleHook } from './in-memory-stores';

/**
 * One consumer's view of the in-memory job table, with the DynamoDB adapter's conditions (the
 * transitions of `states.ts`) and its own faults: each Lambda's calls fail on their own.
 */
/** DynamoDB's `ADD runnersDeleted :runner` on an item that exists. */
function markDeleted(item: MemoryJobItem | undefined, runnerId: number): void {
  if (item === undefined) return;
  item.runnersDeleted ??= new Set();
  item.runnersDeleted.add(runnerId);
}

abstract class View {
  /** Calls that fail (as a DynamoDB throttling error) before the next succeeds. */
  failNext = 0;
  /** Asked before each call after `failNext`: a simulation's throttling rate. */
  throttled: ThrottleHook = () => false;

  constructor(protected readonly table: InMemoryJobTable) {}

  /** The table's items, for assertions. */
  get items(): Map<number, MemoryJobItem> {
    return this.table.items;
  }

  protected maybeFail(): void {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new ProvisionedThroughputExceeded();
    }
    if (this.throttled()) throw new ProvisionedThroughputExceeded();
  }
}

/** Scale-up's {@link JobLedger}. */
export class InMemoryLedger extends View implements JobLedger {
  async claim(jobId: number, projectId: number): Promise<boolean> {
    this.maybeFail();
    const seconds = this.table.seconds();
    const state = this.items.get(jobId)?.state;
    const stale =
      state === 'claimed' && (this.items.get(jobId)?.claimedAt ?? 0) < seconds - STALE_CLAIM_SECONDS;
    if (!canMove(state, 'claimed') || (state === 'claimed' && !stale)) return false;
    this.table.put(jobId, {
      state: 'claimed',
      projectId,
      claimedAt: seconds,
      expiresAt: seconds + JOB_ITEM_TTL_SECONDS,
    });
    return true;
  }

  async release(jobId: number): Promise<void> {
    this.maybeFail();
    if (this.items.get(jobId)?.state === 'claimed') this.items.delete(jobId);
    this.table.settle(jobId);
  }

  async recordLaunch(jobId: number, record: LaunchRecord): Promise<void> {
    this.maybeFail();
    const item = this.transition(jobId, 'launched');
    item.launch = record;
    item.launchedAt = this.table.seconds();
    this.table.index(jobId, item);
  }

  async recordSkip(jobId: number, reason: string): Promise<void> {
    this.maybeFail();
    this.transition(jobId, 'skipped').skipReason = reason;
  }

  private transition(jobId: number, state: JobState): MemoryJobItem {
    const item = this.items.get(jobId);
    // Only the claim holder moves a job on from `claimed`.
    if (item === undefined || !canMove(item.state, state)) throw new JobMovedOnError(jobId);
    item.state = state;
    return item;
  }
}

/** The lifecycle consumer's {@link JobJournal}. */
export class InMemoryJournal extends View implements JobJournal {
  async get(jobId: number): Promise<JobRecord | undefined> {
    this.maybeFail();
    const item = this.items.get(jobId);
    return item === undefined ? undefined : toRecord(jobId, item);
  }

  async recordRunning(jobId: number, projectId: number, placement: Placement): Promise<RunningOutcome> {
    this.maybeFail();
    const item = this.items.get(jobId);
    if (!canMove(item?.state, 'running')) return { recorded: false, pool: undefined, launchedOn: undefined };
    const next = item ?? { state: 'running', projectId, expiresAt: 0 };
    Object.assign(next, { state: 'running', placement, expiresAt: this.expiry(), cleanedUp: false });
    this.table.put(jobId, next);
    return { recorded: true, pool: item?.launch?.pool, launchedOn: item?.launch?.instanceId };
  }

  async recordFinished(
    jobId: number,
    projectId: number,
    status: FinishedStatus,
    placement: Placement | undefined,
  ): Promise<boolean> {
    this.maybeFail();
    const item = this.items.get(jobId);
    if (!canMove(item?.state, 'finished')) return false;
    const next = item ?? { state: 'finished', projectId, expiresAt: 0 };
    Object.assign(next, { state: 'finished', finishedStatus: status, expiresAt: this.expiry() });
    if (placement !== undefined) Object.assign(next, { placement, cleanedUp: true });
    this.table.put(jobId, next);
    return true;
  }

  async findByInstance(instanceId: string): Promise<readonly JobRecord[]> {
    this.maybeFail();
    return this.table.onInstance(instanceId).map(([jobId, item]) => toRecord(jobId, item));
  }

  async findLaunchedOn(instanceId: string): Promise<readonly LaunchedRunner[]> {
    this.maybeFail();
    return this.table.launchedOn(instanceId).map(([jobId, item]) => ({
      jobId,
      runnerId: item.launch?.runnerId ?? 0,
      warned: item.launchWarned === true,
      deleted: item.launch !== undefined && item.runnersDeleted?.has(item.launch.runnerId) === true,
    }));
  }

  async markRunnerDeleted(jobId: number, runnerId: number): Promise<void> {
    this.maybeFail();
    markDeleted(this.items.get(jobId), runnerId);
  }

  async markDisplaced(
    jobId: number,
    instanceId: string,
    sparePool: string | undefined,
  ): Promise<number | undefined> {
    this.maybeFail();
    const item = this.items.get(jobId);
    if (item === undefined || !canMove(item.state, 'lost') || instanceOf(item) !== instanceId)
      return undefined;
    if (sparePool !== undefined && item.launch?.pool === sparePool) return undefined;
    item.state = 'lost';
    return item.projectId;
  }

  async markLaunchWarned(jobId: number, instanceId: string): Promise<void> {
    this.maybeFail();
    const item = this.items.get(jobId);
    if (item?.launch?.instanceId !== instanceId) return;
    item.launchWarned = true;
    item.launchWarnedAt ??= this.table.seconds();
  }

  async markInterrupted(jobId: number, instanceId: string): Promise<boolean> {
    this.maybeFail();
    const item = this.items.get(jobId);
    const ranThere =
      item?.state === 'running' || (item?.state === 'finished' && item.finishedStatus === 'failed');
    if (item === undefined || !ranThere || instanceOf(item) !== instanceId || item.interrupted === true)
      return false;
    item.interrupted = true;
    return true;
  }

  async markRetried(jobId: number, retriedJobId: number | undefined): Promise<boolean> {
    this.maybeFail();
    const item = this.items.get(jobId);
    if (item?.interrupted !== true || item.retried === true) return false;
    item.retried = true;
    if (retriedJobId !== undefined) item.retriedJobId = retriedJobId;
    return true;
  }

  async markCancelledForRetry(jobId: number): Promise<void> {
    this.maybeFail();
    const item = this.items.get(jobId);
    if (item?.interrupted === true) item.cancelledForRetry = true;
  }

  private expiry(): number {
    return this.table.seconds() + JOB_ITEM_TTL_SECONDS;
  }
}

/** The reaper's {@link JobSweepView}. */
export class InMemorySweepView extends View implements JobSweepView {
  readonly calls = { open: 0, markCleanedUp: 0, markLost: 0 };

  async open(): Promise<readonly JobItem[]> {
    this.calls.open += 1;
    this.maybeFail();
    return this.table.openItems().map(([jobId, item]) => toRecord(jobId, item));
  }

  async statesOf(jobIds: readonly number[]): Promise<ReadonlyMap<number, JobState>> {
    this.maybeFail();
    const states = new Map<number, JobState>();
    for (const jobId of jobIds) {
      const state = this.items.get(jobId)?.state;
      if (state !== undefined) states.set(jobId, state);
    }
    return states;
  }

  async markCleanedUp(jobId: number, instanceId: string): Promise<boolean> {
    this.calls.markCleanedUp += 1;
    this.maybeFail();
    const item = this.items.get(jobId);
    if (item === undefined || instanceOf(item) !== instanceId || item.cleanedUp === true) return false;
    item.cleanedUp = true;
    this.table.settle(jobId);
    return true;
  }

  async markLaunchGone(jobId: number, launchInstanceId: string): Promise<void> {
    this.maybeFail();
    const item = this.items.get(jobId);
    if (item?.launch?.instanceId === launchInstanceId) item.launchGoneAt ??= this.table.seconds();
  }

  async markRunnerDeleted(jobId: number, runnerId: number): Promise<void> {
    this.maybeFail();
    markDeleted(this.items.get(jobId), runnerId);
  }

  async markLaunchCleanedUp(jobId: number, launchInstanceId: string): Promise<boolean> {
    this.maybeFail();
    const item = this.items.get(jobId);
    if (item?.launch?.instanceId !== launchInstanceId || item.launchCleanedUp === true) return false;
    item.launchCleanedUp = true;
    this.table.settle(jobId);
    return true;
  }

  async markLost(jobId: number, instanceId: string): Promise<boolean> {
    this.calls.markLost += 1;
    this.maybeFail();
    const item = this.items.get(jobId);
    if (
      item === undefined ||
      !canMove(item.state, 'lost') ||
      instanceOf(item) !== instanceId ||
      item.cleanedUp === true
    )
      return false;
    item.state = 'lost';
    item.cleanedUp = true;
    this.table.settle(jobId);
    return true;
  }
}
