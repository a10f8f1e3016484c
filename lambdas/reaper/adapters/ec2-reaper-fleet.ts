import type { EC2Client, Instance } from '@aws-sdk/client-ec2';
import { describeStackInstances, terminateInstances } from '../../shared/adapters/ec2-stack-instances';
import { TagKey } from '../../shared/naming';
import type { ReaperFleet, ReaperInstance } from '../ports';

/**
 * The production {@link ReaperFleet}: DescribeInstances by this stack's tag (pending and running
 * only: a shutting-down instance is already going) and TerminateInstances.
 */
export function ec2ReaperFleet(ec2: EC2Client, stackName: string): ReaperFleet {
  return {
    async live(): Promise<readonly ReaperInstance[]> {
      const instances = await describeStackInstances(ec2, stackName, ['pending', 'running']);
      return instances.map(toReaperInstance).filter((read) => read !== undefined);
    },
    terminate: (instanceIds) => terminateInstances(ec2, instanceIds),
  };
}

// EC2 always sets both; an instance without them is skipped rather than guessed about.
function toReaperInstance(instance: Instance): ReaperInstance | undefined {
  if (instance.InstanceId === undefined || instance.LaunchTime === undefined) return undefined;
  const tag = (key: string) => instance.Tags?.find((t) => t.Key === key)?.Value;
  return {
    instanceId: instance.InstanceId,
    pool: tag(TagKey.pool) ?? 'unknown',
    instanceType: instance.InstanceType ?? 'unknown',
    launchedAtMs: instance.LaunchTime.getTime(),
  };
}
