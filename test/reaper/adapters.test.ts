import { DescribeInstancesCommand, EC2Client, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { DeleteParameterCommand, GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ec2ReaperFleet } from '../../lambdas/reaper/adapters/ec2-reaper-fleet';
import { ssmTokenParameters } from '../../lambdas/reaper/adapters/ssm-token-parameters';

const ec2 = mockClient(EC2Client);
const ssm = mockClient(SSMClient);
const ID = 'i-0123456789abcdef0';
const LAUNCHED = new Date('2026-11-23T09:00:00Z');

beforeEach(() => {
  ec2.reset();
  ssm.reset();
});

describe('ec2ReaperFleet', () => {
  const fleet = ec2ReaperFleet(new EC2Client({ region: 'eu-west-1' }), 'Spotlab');

  it("lists the stack's pending and running instances, every page, with pool, type and launch time", async () => {
    ec2
      .on(DescribeInstancesCommand)
      .resolvesOnce({
        Reservations: [
          {
            Instances: [
              {
                InstanceId: ID,
                InstanceType: 'm7g.large',
                LaunchTime: LAUNCHED,
                Tags: [{ Key: 'spotlab:pool', Value: 'arm-docker' }],
              },
            ],
          },
        ],
        NextToken: 'page-2',
      })
      .resolvesOnce({
        Reservations: [{ Instances: [{ InstanceId: 'i-0fedcba9876543210', LaunchTime: LAUNCHED }] }],
      });

    const live = await fleet.live();

    expect(live).toEqual([
      { instanceId: ID, pool: 'arm-docker', instanceType: 'm7g.large', launchedAtMs: LAUNCHED.getTime() },
      {
        instanceId: 'i-0fedcba9876543210',
        pool: 'unknown',
        instanceType: 'unknown',
        launchedAtMs: LAUNCHED.getTime(),
      },
    ]);
    const calls = ec2.commandCalls(DescribeInstancesCommand).map((c) => c.args[0].input);
    expect(calls[0]).toEqual({
      Filters: [
        { Name: 'tag:spotlab:stack', Values: ['Spotlab'] },
        { Name: 'instance-state-name', Values: ['pending', 'running'] },
      ],
      MaxResults: 1000,
      NextToken: undefined,
    });
    expect(calls[1]?.NextToken).toBe('page-2');
  });

  it('terminates in one call for up to 1000 ids', async () => {
    ec2.on(TerminateInstancesCommand).resolves({});

    await fleet.terminate([ID, 'i-0fedcba9876543210']);

    expect(ec2.commandCalls(TerminateInstancesCommand).map((c) => c.args[0].input)).toEqual([
      { InstanceIds: [ID, 'i-0fedcba9876543210'] },
    ]);
  });

  it("answers each known instance's state by id, whatever stack launched it, every page", async () => {
    ec2
      .on(DescribeInstancesCommand)
      .resolvesOnce({
        Reservations: [{ Instances: [{ InstanceId: ID, State: { Name: 'terminated' } }] }],
        NextToken: 'page-2',
      })
      .resolvesOnce({
        Reservations: [{ Instances: [{ InstanceId: 'i-0fedcba9876543210', State: { Name: 'running' } }] }],
      });

    const states = await fleet.states([ID, 'i-0fedcba9876543210']);

    expect([...states]).toEqual([
      [ID, 'terminated'],
      ['i-0fedcba9876543210', 'running'],
    ]);
    const calls = ec2.commandCalls(DescribeInstancesCommand).map((c) => c.args[0].input);
    // No stack tag and no state filter: another stack's live instance must read as live.
    expect(calls[0]).toEqual({
      Filters: [{ Name: 'instance-id', Values: [ID, 'i-0fedcba9876543210'] }],
      MaxResults: 1000,
      NextToken: undefined,
    });
    expect(calls[1]?.NextToken).toBe('page-2');
  });

  it('leaves out an id EC2 no longer knows rather than failing with InvalidInstanceID.NotFound', async () => {
    // The instance-id filter answers an unknown id with nothing, where the InstanceIds parameter
    // would fail the whole call.
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });

    const states = await fleet.states(['i-0aaaaaaaaaaaaaaa1']);

    expect(states.size).toBe(0);
    expect(ec2.commandCalls(DescribeInstancesCommand)[0]?.args[0].input).not.toHaveProperty('InstanceIds');
  });

  it('asks about at most 200 ids per call', async () => {
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    const ids = Array.from({ length: 250 }, (_, n) => `i-${n.toString(16).padStart(17, '0')}`);

    await fleet.states(ids);

    const calls = ec2.commandCalls(DescribeInstancesCommand).map((c) => c.args[0].input.Filters?.[0]?.Values);
    expect(calls.map((values) => values?.length)).toEqual([200, 50]);
  });

  it('fails when EC2 does, so no instance reads as forgotten', async () => {
    ec2.on(DescribeInstancesCommand).rejects(new Error('RequestLimitExceeded'));

    await expect(fleet.states([ID])).rejects.toThrow('RequestLimitExceeded');
  });
});

describe('ssmTokenParameters', () => {
  const tokens = ssmTokenParameters(new SSMClient({ region: 'eu-west-1' }), 'Spotlab');

  it('lists token parameters by path without decrypting, every page, by instance id', async () => {
    ssm
      .on(GetParametersByPathCommand)
      .resolvesOnce({
        Parameters: [{ Name: `/spotlab/Spotlab/runner-token/${ID}`, LastModifiedDate: LAUNCHED }],
        NextToken: 'next',
      })
      .resolvesOnce({
        Parameters: [
          { Name: '/spotlab/Spotlab/runner-token/i-0fedcba9876543210', LastModifiedDate: LAUNCHED },
        ],
      });

    const listed = await tokens.list();

    expect(listed).toEqual([
      { instanceId: ID, lastModifiedMs: LAUNCHED.getTime() },
      { instanceId: 'i-0fedcba9876543210', lastModifiedMs: LAUNCHED.getTime() },
    ]);
    const calls = ssm.commandCalls(GetParametersByPathCommand).map((c) => c.args[0].input);
    expect(calls[0]).toEqual({
      Path: '/spotlab/Spotlab/runner-token',
      Recursive: false,
      WithDecryption: false,
      MaxResults: 10,
      NextToken: undefined,
    });
    expect(calls[1]?.NextToken).toBe('next');
  });

  it("deletes an instance's token parameter", async () => {
    ssm.on(DeleteParameterCommand).resolves({});

    await tokens.delete(ID);

    expect(ssm.commandCalls(DeleteParameterCommand)[0]?.args[0].input).toEqual({
      Name: `/spotlab/Spotlab/runner-token/${ID}`,
    });
  });
});
