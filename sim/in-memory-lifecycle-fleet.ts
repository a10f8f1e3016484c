import type { LifecycleFleet } from '../lambdas/lifecycle/ports';
import { TagKey } from '../lambdas/shared/naming';
import type { InMemoryEc2 } from './in-memory-ec2';

/**
 * The lifecycle consumer's {@link LifecycleFleet} over the simulated EC2: the same instances, tags and
 * token buckets scale-up launches into. Only instances tagged with `stackName` count as live.
 */
export function inMemoryLifecycleFleet(ec2: InMemoryEc2, stackName: string): LifecycleFleet {
  return {
    async live(instanceIds) {
      ec2.calls.describe += 1;
      return instanceIds.filter((id) => {
        const instance = ec2.instances.get(id);
        return instance?.state === 'running' && instance.tags[TagKey.stack] === stackName;
      });
    },
    terminate: (instanceIds) => ec2.terminate(instanceIds),
    async reclaimedBySpot(instanceId) {
      ec2.calls.describe += 1;
      const instance = ec2.instances.get(instanceId);
      return (
        instance?.tags[TagKey.stack] === stackName &&
        instance.stateReason === 'Server.SpotInstanceTermination'
      );
    },
  };
}
