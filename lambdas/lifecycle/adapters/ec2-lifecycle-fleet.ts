import type { EC2Client } from '@aws-sdk/client-ec2';
import { describeStackInstances, terminateInstances } from '../../shared/adapters/ec2-stack-instances';
import type { LifecycleFleet } from '../ports';

// Every state but shutting-down and terminated: a stopped instance still holds its volume and
// its runner, and one-time spot instances never stop anyway.
const ALIVE_STATES = ['pending', 'running', 'stopping', 'stopped'];
const ENDED_STATES = ['shutting-down', 'terminated'];
/** EC2's state reason for an instance it terminated to reclaim spot capacity. */
const SPOT_RECLAIM = 'Server.SpotInstanceTermination';

/** The production {@link LifecycleFleet}: DescribeInstances and TerminateInstances. */
export function ec2LifecycleFleet(ec2: EC2Client, stackName: string): LifecycleFleet {
  return {
    async live(instanceIds: readonly string[]): Promise<readonly string[]> {
      if (instanceIds.length === 0) return [];
      const instances = await describeStackInstances(ec2, stackName, ALIVE_STATES, [
        { Name: 'instance-id', Values: [...instanceIds] },
      ]);
      return instances.flatMap((instance) =>
        instance.InstanceId === undefined ? [] : [instance.InstanceId],
      );
    },
    terminate: (instanceIds) => terminateInstances(ec2, instanceIds),
    async reclaimedBySpot(instanceId: string): Promise<boolean> {
      const instances = await describeStackInstances(ec2, stackName, ENDED_STATES, [
        { Name: 'instance-id', Values: [instanceId] },
      ]);
      return instances.some((instance) => instance.StateReason?.Code === SPOT_RECLAIM);
    },
  };
}
