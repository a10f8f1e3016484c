import {
  DescribeInstancesCommand,
  type EC2Client,
  type Instance,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { TagKey } from '../../shared/naming';
import type { ReaperFleet, ReaperInstance } from '../ports';

/**
 * The production {@link ReaperFleet}: DescribeInstances by this stack's tag (pending and running
 * only: a shutting-down instance is already going) and TerminateInstances.
 */
export function ec2ReaperFleet(ec2: EC2Client, stackName: string): ReaperFleet {
  return {
    async live(): Promise<readonly ReaperInstance[]> {
      const found: ReaperInstance[] = [];
      let NextToken: string | undefined;
      do {
        // Filtered DescribeInstances has its own bucket (100 burst, 20/s); 1000 per page keeps a
        // large fleet to a few calls.
        const page = await ec2.send(
          new DescribeInstancesCommand({
            Filters: [
              { Name: `tag:${TagKey.stack}`, Values: [stackName] },
              { Name: 'instance-state-name', Values: ['pending', 'running'] },
            ],
            MaxResults: 1000,
            NextToken,
          }),
        );
        for (const instance of (page.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
          const read = toReaperInstance(instance);
          if (read !== undefined) found.push(read);
        }
        NextToken = page.NextToken;
      } while (NextToken !== undefined);
      return found;
    },
    async terminate(instanceIds: readonly string[]): Promise<void> {
      // TerminateInstances takes at most 1000 ids per call; terminating twice succeeds.
      for (let start = 0; start < instanceIds.length; start += 1000) {
        await ec2.send(
          new TerminateInstancesCommand({ InstanceIds: instanceIds.slice(start, start + 1000) }),
        );
      }
    },
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
