import type { FinishedStatus } from '../lambdas/lifecycle/events';
import type {
  JobJournal,
  JobRecord,
  LaunchedRunner,
  Placement,
  RunningOutcome,
} from '../lambdas/lifecycle/ports';
import { JOB_ITEM_TTL_SECONDS } from '../lambdas/shared/job-table/lifetimes';
import {
  instanceOf,
  ProvisionedThroughputExceeded,
  type SimJobItem,
  type ThrottleHook,
} from './in-memory-stores';

// The launcher's states; only these move on to running.
const BEFORE_RUNNING = new Set(['claimed', 'launched', 'skipped', 'lost']);

/**
 * The in-memory {@link JobJournal}, with the DynamoDB adapter's conditions. It shares its item map
 * with an `InMemoryLedger` (pass `ledger.items`), as the two share one table, so the races between
 * scale-up's claims and the lifecycle's records play out as they would in DynamoDB.
 */
export class InMemoryJournal implements JobJournal {
  /** Calls that fail (as a DynamoDB throttling error) before the next succeeds. */
  failNext = 0;
  /** Asked before each call after `failNext`: a simulation's throttling rate. */
  throttled: ThrottleHook = () => false;

  constructor(
    readonly items: Map<number, SimJobItem>,
    private readonly now: () => number,
  ) {}

  async get(jobId: number): Promise<JobRecord | undefined> {
    this.maybeFail();
    const item = this.items.get(jobId);
    return item === undefined ? undefined : toRecord(jobId, item);
  }

  async recordRunning(jobId: number, projectId: number, placement: Placement): Promise<RunningOutcome> {
    this.maybeFail();
    const item = this.items.get(jobId);
    if (item !== undefined && !BEFORE_RUNNING.has(item.state))
      return { recorded: false, pool: undefined, launchedOn: undefined };
    const next = item ?? { state: 'running', projectId, expiresAt: 0 };
    Object.assign(next, { state: 'running', placement, expiresAt: this.expiry(), cleanedUp: false });
    this.items.set(jobId, next);
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
    if (item?.state === 'finished') return false;
    const next = item ?? { state: 'finished', projectId, expiresAt: 0 };
    Object.assign(next, { state: 'finished', finishedStatus: status, expiresAt: this.expiry() });
    if (placement !== undefined) Object.assign(next, { placement, cleanedUp: true });
    this.items.set(jobId, next);
    return true;
  }

  // Both walk every item, as a query of the instance index costs one call whatever the table
  // holds; a plain loop, not a copy of the map per call, keeps long replays fast.
  async findByInstance(instanceId: string): Promise<readonly JobRecord[]> {
    this.maybeFail();
    const found: JobRecord[] = [];
    for (const [jobId, item] of this.items)
      if (instanceOf(item) === instanceId) found.push(toRecord(jobId, item));
    return found;
  }

  async findLaunchedOn(instanceId: string): Promise<readonly LaunchedRunner[]> {
    this.maybeFail();
    const found: LaunchedRunner[] = [];
    for (const [jobId, item] of this.items)
      if (item.launch?.instanceId === instanceId)
        found.push({ jobId, runnerId: item.launch.runnerId, warned: item.launchWarned === true });
    return found;
  }

  async markDisplaced(
    jobId: number,
    instanceId: string,
    sparePool: string | undefined,
  ): Promise<number | undefined> {
    this.maybeFail();
    const item = this.items.get(jobId);
    if (item?.state !== 'launched' || instanceOf(item) !== instanceId) return undefined;
    if (sparePool !== undefined && item.launch?.pool === sparePool) return undefined;
    item.state = 'lost';
    return item.projectId;
  }

  async markLaunchWarned(jobId: number, instanceId: string): Promise<void> {
    this.maybeFail();
    const item = this.items.get(jobId);
    if (item?.launch?.instanceId !== instanceId) return;
    item.launchWarned = true;
    item.launchWarnedAt ??= Math.floor(this.now() / 1000);
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
    return Math.floor(this.now() / 1000) + JOB_ITEM_TTL_SECONDS;
  }

  private maybeFail(): void {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new ProvisionedThroughputExceeded();
    }
    if (this.throttled()) throw new ProvisionedThroughputExceeded();
  }
}

function toRecord(jobId: number, item: SimJobItem): JobRecord {
  return {
    jobId,
    state: item.state,
    projectId: item.projectId,
    instanceId: instanceOf(item),
    runnerId: item.placement?.runnerId ?? item.launch?.runnerId,
    pool: item.launch?.pool,
    launch:
      item.launch === undefined
        ? undefined
        : { instanceId: item.launch.instanceId, runnerId: item.launch.runnerId },
    finishedStatus: item.finishedStatus,
    interrupted: item.interrupted === true,
    retried: item.retried === true,
    cancelledForRetry: item.cancelledForRetry === true,
    cleanedUp: item.cleanedUp === true,
  };
}
