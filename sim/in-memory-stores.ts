import type { FinishedStatus } from '../lambdas/lifecycle/events';
import type { Placement } from '../lambdas/lifecycle/ports';
import { type JobLedger, JobMovedOnError, type LaunchRecord } from '../lambdas/scale-up/ports';
import { JOB_ITEM_TTL_SECONDS, STALE_CLAIM_SECONDS } from '../lambdas/shared/job-table/lifetimes';
import type { TokenStore } from '../lambdas/shared/token-store';

/**
 * A job item as the in-memory ledger and journal keep it, in one map as in the one DynamoDB
 * table: `state` beyond the launcher's, and the fields after `skipReason`, are the lifecycle's.
 */
export interface SimJobItem {
  state: string;
  readonly projectId: number;
  /** Absent on an item the lifecycle consumer created (its `running` came before `pending`). */
  claimedAt?: number;
  /** Epoch seconds of the launch, as scale-up records it. */
  launchedAt?: number;
  expiresAt: number;
  launch?: LaunchRecord;
  skipReason?: string;
  /** Where the job ran; in DynamoDB it overwrites the launch's instanceId and runnerId. */
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
}

/**
 * The instance an item names: where its job ran, else the one launched for it (the key of the
 * table's instance index, which the journal and the reaper both query).
 */
export function instanceOf(item: SimJobItem): string | undefined {
  return item.placement?.instanceId ?? item.launch?.instanceId;
}

/**
 * DynamoDB's throttling error as the SDK throws it once its own retries are spent: the request
 * was refused, so nothing was written.
 */
export class ProvisionedThroughputExceeded extends Error {
  override readonly name = 'ProvisionedThroughputExceededException';
  constructor() {
    super('ProvisionedThroughputExceededException');
  }
}

/** SSM's throttling error (its API's per-account rate) once the SDK's retries are spent. */
export class SsmThrottled extends Error {
  override readonly name = 'ThrottlingException';
  constructor() {
    super('ThrottlingException');
  }
}

/**
 * Asked before every call of an in-memory store: true fails that call as throttled, before it
 * reads or writes anything (a simulation's fault rate). Never, by default.
 */
export type ThrottleHook = () => boolean;

/** The in-memory {@link JobLedger}, with the DynamoDB adapter's conditions. */
export class InMemoryLedger implements JobLedger {
  readonly items = new Map<number, SimJobItem>();
  throttled: ThrottleHook = () => false;

  constructor(private readonly now: () => number) {}

  async claim(jobId: number, projectId: number): Promise<boolean> {
    this.maybeFail();
    const seconds = Math.floor(this.now() / 1000);
    const item = this.items.get(jobId);
    const stale = item?.state === 'claimed' && (item.claimedAt ?? 0) < seconds - STALE_CLAIM_SECONDS;
    if (item !== undefined && item.state !== 'lost' && !stale) return false;
    this.items.set(jobId, {
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
  }

  async recordLaunch(jobId: number, record: LaunchRecord): Promise<void> {
    this.maybeFail();
    const item = this.transition(jobId, 'launched');
    item.launch = record;
    item.launchedAt = Math.floor(this.now() / 1000);
  }

  async recordSkip(jobId: number, reason: string): Promise<void> {
    this.maybeFail();
    this.transition(jobId, 'skipped').skipReason = reason;
  }

  private transition(jobId: number, state: string): SimJobItem {
    const item = this.items.get(jobId);
    if (item?.state !== 'claimed') throw new JobMovedOnError(jobId);
    item.state = state;
    return item;
  }

  private maybeFail(): void {
    if (this.throttled()) throw new ProvisionedThroughputExceeded();
  }
}

/** The in-memory {@link TokenStore}. */
export class InMemoryTokenStore implements TokenStore {
  readonly tokens = new Map<string, string>();
  /** When each token was last written, in epoch milliseconds (SSM's LastModifiedDate). */
  readonly writtenAt = new Map<string, number>();
  failPuts = 0;
  /** Puts and deletes (Spotlab's; a VM reads and deletes `tokens` itself) ask it first. */
  throttled: ThrottleHook = () => false;

  constructor(private readonly now: () => number = Date.now) {}

  async put(instanceId: string, token: string): Promise<void> {
    if (this.failPuts > 0) {
      this.failPuts -= 1;
      throw new SsmThrottled();
    }
    if (this.throttled()) throw new SsmThrottled();
    this.tokens.set(instanceId, token);
    this.writtenAt.set(instanceId, this.now());
  }

  async delete(instanceId: string): Promise<void> {
    if (this.throttled()) throw new SsmThrottled();
    this.tokens.delete(instanceId);
    this.writtenAt.delete(instanceId);
  }
}
