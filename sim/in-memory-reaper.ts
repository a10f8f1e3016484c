import type { JobItem, JobTable, ReaperFleet, TokenParameters } from '../lambdas/reaper/ports';
import type { DemandQueue } from '../lambdas/shared/adapters/sqs-queue';
import type { DemandMessage } from '../lambdas/shared/job-messages';
import { JOB_ITEM_TTL_SECONDS } from '../lambdas/shared/job-table/lifetimes';
import { TagKey } from '../lambdas/shared/naming';
import type { InMemoryEc2 } from './in-memory-ec2';
import {
  type InMemoryTokenStore,
  instanceOf,
  ProvisionedThroughputExceeded,
  type SimJobItem,
  type ThrottleHook,
} from './in-memory-stores';

/**
 * The reaper's {@link ReaperFleet} over the simulated EC2: the stack's running instances, and any
 * instance's state by id. The simulated EC2 never forgets a terminated instance; one it never
 * launched is unknown.
 */
export function inMemoryReaperFleet(ec2: InMemoryEc2, stackName: string): ReaperFleet {
  return {
    async live() {
      const listed = await ec2.live();
      return ec2
        .running()
        .filter(
          (i) => i.tags[TagKey.stack] === stackName && listed.some((l) => l.instanceId === i.instanceId),
        )
        .map((i) => ({
          instanceId: i.instanceId,
          pool: i.tags[TagKey.pool] ?? i.pool,
          instanceType: i.instanceType,
          launchedAtMs: i.launchedAt,
        }));
    },
    terminate: (instanceIds) => ec2.terminate(instanceIds),
    async states(instanceIds) {
      // One DescribeInstances call: it spends the same token bucket as the stack-tag listing.
      await ec2.live();
      return new Map(
        instanceIds.flatMap((id) => {
          const instance = ec2.instances.get(id);
          return instance === undefined ? [] : [[id, instance.state] as const];
        }),
      );
    },
  };
}

/**
 * The reaper's {@link JobTable} over the item map the in-memory ledger and journal share, with the
 * DynamoDB adapter's conditions.
 */
export class InMemoryJobTable implements JobTable {
  /** Calls that fail (as a DynamoDB throttling error) before the next succeeds. */
  failNext = 0;
  /** Asked before each call after `failNext`: a simulation's throttling rate. */
  throttled: ThrottleHook = () => false;
  readonly calls = { scan: 0, markCleanedUp: 0, markLost: 0 };

  constructor(
    readonly items: Map<number, SimJobItem>,
    private readonly now: () => number = Date.now,
  ) {}

  async scan(): Promise<readonly JobItem[]> {
    this.calls.scan += 1;
    this.maybeFail();
    return [...this.items].map(([jobId, item]) => toJobItem(jobId, item));
  }

  async markCleanedUp(jobId: number, instanceId: string): Promise<boolean> {
    this.calls.markCleanedUp += 1;
    this.maybeFail();
    const item = this.items.get(jobId);
    if (item === undefined || instanceOf(item) !== instanceId || item.cleanedUp === true) return false;
    item.cleanedUp = true;
    return true;
  }

  async markLaunchGone(jobId: number, launchInstanceId: string): Promise<void> {
    this.maybeFail();
    const item = this.items.get(jobId);
    if (item?.launch?.instanceId === launchInstanceId) item.launchGoneAt ??= Math.floor(this.now() / 1000);
  }

  async markLaunchCleanedUp(jobId: number, launchInstanceId: string): Promise<boolean> {
    this.maybeFail();
    const item = this.items.get(jobId);
    if (item?.launch?.instanceId !== launchInstanceId || item.launchCleanedUp === true) return false;
    item.launchCleanedUp = true;
    return true;
  }

  async markLost(jobId: number, instanceId: string): Promise<boolean> {
    this.calls.markLost += 1;
    this.maybeFail();
    const item = this.items.get(jobId);
    if (item?.state !== 'launched' || instanceOf(item) !== instanceId || item.cleanedUp === true)
      return false;
    item.state = 'lost';
    item.cleanedUp = true;
    return true;
  }

  private maybeFail(): void {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new ProvisionedThroughputExceeded();
    }
    if (this.throttled()) throw new ProvisionedThroughputExceeded();
  }
}

/** The reaper's {@link TokenParameters} over the in-memory token store: names and dates only. */
export function inMemoryTokenParameters(store: InMemoryTokenStore): TokenParameters {
  return {
    async list() {
      return [...store.tokens.keys()].map((instanceId) => ({
        instanceId,
        lastModifiedMs: store.writtenAt.get(instanceId) ?? 0,
      }));
    },
    delete: (instanceId) => store.delete(instanceId),
  };
}

/** A {@link DemandQueue} that keeps what was sent, for assertions and the simulator's scale-up. */
export class RecordingDemandQueue implements DemandQueue {
  readonly sent: DemandMessage[] = [];
  failNext = 0;

  async send(message: DemandMessage): Promise<void> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('SQS unavailable');
    }
    this.sent.push(message);
  }
}

function toJobItem(jobId: number, item: SimJobItem): JobItem {
  // Every write but recordLaunch moves `expiresAt` to its own time + TTL: a write time too.
  const times = [item.claimedAt, item.launchedAt, item.expiresAt - JOB_ITEM_TTL_SECONDS].flatMap((t) =>
    t === undefined || t <= 0 ? [] : [t * 1000],
  );
  return {
    jobId,
    state: item.state,
    projectId: item.projectId,
    instanceId: instanceOf(item),
    runnerId: item.placement?.runnerId ?? item.launch?.runnerId,
    launchInstanceId: item.launch?.instanceId,
    launchRunnerId: item.launch?.runnerId,
    launchCleanedUp: item.launchCleanedUp === true,
    launchWarnedAtMs: item.launchWarnedAt === undefined ? undefined : item.launchWarnedAt * 1000,
    launchGoneAtMs: item.launchGoneAt === undefined ? undefined : item.launchGoneAt * 1000,
    cleanedUp: item.cleanedUp === true,
    touchedAtMs: times.length === 0 ? undefined : Math.max(...times),
  };
}
