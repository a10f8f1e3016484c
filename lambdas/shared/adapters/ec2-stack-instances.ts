import {
  DescribeInstancesCommand,
  type EC2Client,
  type Filter,
  type Instance,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { TagKey } from '../naming';

/**
 * This stack's instances in `states` (DescribeInstances filtered by the stack tag, every page).
 * Filtered DescribeInstances has its own token bucket (100 burst, 20/s); 1000 per page keeps a
 * large fleet to a few calls. Extra filters narrow it (e.g. `instance-id`, which, unlike the
 * InstanceIds parameter, answers an id EC2 no longer knows with nothing instead of an error).
 */
export async function describeStackInstances(
  ec2: EC2Client,
  stackName: string,
  states: readonly string[],
  extraFilters: readonly Filter[] = [],
): Promise<Instance[]> {
  return describeInstances(ec2, [
    { Name: `tag:${TagKey.stack}`, Values: [stackName] },
    { Name: 'instance-state-name', Values: [...states] },
    ...extraFilters,
  ]);
}

/** Every instance `filters` select, page after page (1000 a page). */
export async function describeInstances(ec2: EC2Client, filters: readonly Filter[]): Promise<Instance[]> {
  const found: Instance[] = [];
  let NextToken: string | undefined;
  do {
    const page = await ec2.send(
      new DescribeInstancesCommand({ Filters: [...filters], MaxResults: 1000, NextToken }),
    );
    found.push(...(page.Reservations ?? []).flatMap((r) => r.Instances ?? []));
    NextToken = page.NextToken;
  } while (NextToken !== undefined);
  return found;
}

/** Terminates `instanceIds`, at most 1000 per call as EC2 allows; terminating twice succeeds. */
export async function terminateInstances(ec2: EC2Client, instanceIds: readonly string[]): Promise<void> {
  for (let start = 0; start < instanceIds.length; start += 1000) {
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: instanceIds.slice(start, start + 1000) }));
  }
}
