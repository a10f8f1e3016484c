import { DescribeInstancesCommand, type EC2Client, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { TagKey } from '../../shared/naming';
import type { Instances } from '../ports';

// Every state but shutting-down and terminated: a stopped instance still holds its volume and
// its runner, and one-time spot instances never stop anyway.
const ALIVE_STATES = ['pending', 'running', 'stopping', 'stopped'];

/** The production {@link Instances}: DescribeInstances and TerminateInstances. */
export function ec2Instances(ec2: EC2Client, stackName: string): Instances {
  return {
    async live(instanceIds: readonly string[]): Promise<readonly string[]> {
      if (instanceIds.length === 0) return [];
      const found: string[] = [];
      let NextToken: string | undefined;
      do {
        const page = await ec2.send(
          new DescribeInstancesCommand({
            // The instance-id filter, unlike the InstanceIds parameter, answers an id EC2 no longer
            // knows with nothing, instead of failing the call with InvalidInstanceID.NotFound.
            Filters: [
              { Name: 'instance-id', Values: [...instanceIds] },
              { Name: `tag:${TagKey.stack}`, Values: [stackName] },
              { Name: 'instance-state-name', Values: ALIVE_STATES },
            ],
            NextToken,
          }),
        );
        for (const instance of (page.Reservations ?? []).flatMap((r) => r.Instances ?? []))
          if (instance.InstanceId !== undefined) found.push(instance.InstanceId);
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
