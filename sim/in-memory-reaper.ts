import type { ReaperFleet, TokenParameters } from '../lambdas/reaper/ports';
import type { DemandQueue } from '../lambdas/shared/adapters/sqs-queue';
import type { DemandMessage } from '../lambdas/shared/job-messages';
import { TagKey } from '../lambdas/shared/naming';
import type { InMemoryEc2 } from './in-memory-ec2';
import type { InMemoryTokenStore } from './in-memory-stores';

/**
 * The reaper's {@link ReaperFleet} over the simulated EC2: the stack's running instances, and any
 * instance's state by id. The simulated EC2 never forgets a terminated instance; one it never
 * launched is unknown.
 */
export function inMemoryReaperFleet(ec2: InMemoryEc2, stackName: string): ReaperFleet {
  return {
    async live() {
      const listed = new Set((await ec2.live()).map((l) => l.instanceId));
      return ec2
        .running()
        .filter((i) => i.tags[TagKey.stack] === stackName && listed.has(i.instanceId))
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
