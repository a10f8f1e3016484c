import type { EC2Client, Instance } from '@aws-sdk/client-ec2';
import {
  describeInstances,
  describeStackInstances,
  terminateInstances,
} from '../../shared/adapters/ec2-stack-instances';
import { TagKey } from '../../shared/naming';
import type { ReaperFleet, ReaperInstance } from '../ports';

/** Ids per DescribeInstances call: well inside EC2's cap on the values of one filter. */
const IDS_PER_CALL = 200;

/**
 * The production {@link ReaperFleet}: DescribeInstances by this stack's tag (pending and running
 * only: a shutting-down instance is already going), DescribeInstances by instance id (any stack)
 * and TerminateInstances.
 */
export function ec2ReaperFleet(ec2: EC2Client, stackName: string): ReaperFleet {
  return {
    async live(): Promise<readonly ReaperInstance[]> {
      const instances = await describeStackInstances(ec2, stackName, ['pending', 'running']);
      return instances.map(toReaperInstance).filter((read) => read !== undefined);
    },
    terminate: (instanceIds) => terminateInstances(ec2, instanceIds),
    async states(instanceIds): Promise<ReadonlyMap<string, string>> {
      const states = new Map<string, string>();
      for (let start = 0; start < instanceIds.length; start += IDS_PER_CALL) {
        for (const instance of await describeByIds(ec2, instanceIds.slice(start, start + IDS_PER_CALL)))
          if (instance.InstanceId !== undefined && instance.State?.Name !== undefined)
            states.set(instance.InstanceId, instance.State.Name);
      }
      return states;
    },
  };
}

/**
 * The instances EC2 knows among `instanceIds`, every state, no stack tag: a runner's instance may
 * be another stack's. The `instance-id` filter, unlike the InstanceIds parameter, answers an id EC2
 * no longer knows with nothing instead of failing the whole call with InvalidInstanceID.NotFound.
 */
async function describeByIds(ec2: EC2Client, instanceIds: readonly string[]): Promise<Instance[]> {
  return describeInstances(ec2, [{ Name: 'instance-id', Values: [...instanceIds] }]);
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
