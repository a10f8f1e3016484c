import { DescribeInstancesCommand, EC2Client, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ec2LifecycleFleet } from '../../lambdas/lifecycle/adapters/ec2-lifecycle-fleet';

const ec2 = mockClient(EC2Client);
const instances = ec2LifecycleFleet(new EC2Client({ region: 'eu-west-1' }), 'Spotlab');
const ID = 'i-0123456789abcdef0';

beforeEach(() => ec2.reset());

describe('ec2LifecycleFleet.live', () => {
  it("asks EC2 by filters for this stack's instances among the ids that are not going away", async () => {
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: ID }] }] });

    const live = await instances.live([ID, 'i-0fedcba9876543210']);

    expect(live).toEqual([ID]);
    expect(ec2.commandCalls(DescribeInstancesCommand)[0]?.args[0].input).toEqual({
      Filters: [
        { Name: 'tag:spotlab:stack', Values: ['Spotlab'] },
        { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
        { Name: 'instance-id', Values: [ID, 'i-0fedcba9876543210'] },
      ],
      MaxResults: 1000,
      NextToken: undefined,
    });
  });

  it('reads every page', async () => {
    ec2
      .on(DescribeInstancesCommand)
      .resolvesOnce({ Reservations: [{ Instances: [{ InstanceId: ID }] }], NextToken: 'page-2' })
      .resolvesOnce({ Reservations: [{ Instances: [{ InstanceId: 'i-0fedcba9876543210' }] }] });

    expect(await instances.live([ID, 'i-0fedcba9876543210'])).toEqual([ID, 'i-0fedcba9876543210']);
    expect(ec2.commandCalls(DescribeInstancesCommand)[1]?.args[0].input.NextToken).toBe('page-2');
  });

  it('answers an instance EC2 no longer lists (terminated over an hour ago, or not ours) with nothing', async () => {
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });

    expect(await instances.live([ID])).toEqual([]);
  });

  it('makes no call for no ids', async () => {
    expect(await instances.live([])).toEqual([]);
    expect(ec2.commandCalls(DescribeInstancesCommand)).toHaveLength(0);
  });

  it('lets EC2 errors through, for the caller to retry', async () => {
    ec2.on(DescribeInstancesCommand).rejects(new Error('RequestLimitExceeded'));

    await expect(instances.live([ID])).rejects.toThrow('RequestLimitExceeded');
  });
});

describe('ec2LifecycleFleet.terminate', () => {
  it('terminates the instances by id', async () => {
    ec2.on(TerminateInstancesCommand).resolves({});

    await instances.terminate([ID]);

    expect(ec2.commandCalls(TerminateInstancesCommand)[0]?.args[0].input).toEqual({ InstanceIds: [ID] });
  });

  it('splits more than 1000 ids into calls of 1000, the most EC2 takes', async () => {
    ec2.on(TerminateInstancesCommand).resolves({});
    const ids = Array.from({ length: 1001 }, (_, i) => `i-${i.toString(16).padStart(17, '0')}`);

    await instances.terminate(ids);

    expect(
      ec2.commandCalls(TerminateInstancesCommand).map((c) => c.args[0].input.InstanceIds?.length),
    ).toEqual([1000, 1]);
  });
});

describe('ec2LifecycleFleet.reclaimedBySpot', () => {
  it("asks EC2 for this stack's ended instance and reads its state reason", async () => {
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            {
              InstanceId: ID,
              StateReason: {
                Code: 'Server.SpotInstanceTermination',
                Message: 'Server.SpotInstanceTermination: Spot instance termination',
              },
            },
          ],
        },
      ],
    });

    expect(await instances.reclaimedBySpot(ID)).toBe(true);
    expect(ec2.commandCalls(DescribeInstancesCommand)[0]?.args[0].input.Filters).toEqual([
      { Name: 'tag:spotlab:stack', Values: ['Spotlab'] },
      { Name: 'instance-state-name', Values: ['shutting-down', 'terminated'] },
      { Name: 'instance-id', Values: [ID] },
    ]);
  });

  it.each([
    ['its own shutdown', { Code: 'Client.InstanceInitiatedShutdown' }],
    ['a TerminateInstances call', { Code: 'Client.UserInitiatedShutdown' }],
    ['no reason given', undefined],
  ])('answers false for an instance ended by %s', async (_name, StateReason) => {
    ec2
      .on(DescribeInstancesCommand)
      .resolves({ Reservations: [{ Instances: [{ InstanceId: ID, StateReason }] }] });

    expect(await instances.reclaimedBySpot(ID)).toBe(false);
  });

  it('answers false for an instance EC2 no longer lists', async () => {
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });

    expect(await instances.reclaimedBySpot(ID)).toBe(false);
  });
});
