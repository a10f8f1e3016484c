import { DescribeInstanceTypeOfferingsCommand, DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import { doctorCommand } from '../../cli/commands/doctor';
import { StackOutput } from '../../lib/stack-outputs';
import { checkOf, doctor, gitlab, healthyStack, offeringsAre } from './doctor-fixtures';
import { aws, configVariant, deployedOutputs, run, stackIs } from './harness';

beforeEach(healthyStack);

describe("spotlab doctor: the pools' instance types in the subnets' zones", () => {
  it("asks EC2 about the stack's subnets and every configured type, by Availability Zone", async () => {
    const outcome = await doctor(['--json']);

    expect(checkOf(outcome, 'instance-types:arm-docker')).toEqual({
      id: 'instance-types:arm-docker',
      status: 'ok',
      detail: "pool arm-docker: every type is offered in each of the subnets' zones (eu-west-1a, eu-west-1b)",
    });
    expect(aws.ec2.commandCalls(DescribeSubnetsCommand)[0]?.args[0].input.SubnetIds).toEqual([
      'subnet-0aaa1111',
      'subnet-0bbb2222',
    ]);
    const asked = aws.ec2.commandCalls(DescribeInstanceTypeOfferingsCommand)[0]?.args[0].input;
    expect(asked?.LocationType).toBe('availability-zone');
    expect(asked?.Filters?.[0]?.Name).toBe('instance-type');
    expect(asked?.Filters?.[0]?.Values).toContain('m7g.large');
    expect(asked?.Filters?.[0]?.Values).toContain('m7i.large');
  });

  it('fails a pool with a type offered in none of the zones, saying to pick another type or Region', async () => {
    offeringsAre({ 'c7g.large': [] });

    const outcome = await doctor(['--json']);

    expect(outcome.code).toBe(1);
    const arm = checkOf(outcome, 'instance-types:arm-docker');
    expect(arm?.status).toBe('fail');
    expect(arm?.detail).toBe(
      "pool arm-docker: c7g.large is offered in none of the subnets' zones (eu-west-1a, eu-west-1b)",
    );
    expect(arm?.fix).toContain('replace c7g.large with types this Region offers');
    expect(arm?.fix).toContain('another Region');
  });

  it('warns about a type offered in some of the zones only', async () => {
    offeringsAre({ 'm7a.large': ['eu-west-1a'] });

    const outcome = await doctor(['--json']);

    expect(outcome.code).toBe(0);
    expect(checkOf(outcome, 'instance-types:x86-docker')).toMatchObject({
      status: 'warn',
      detail:
        "pool x86-docker: offered in only some of the subnets' zones (eu-west-1a, eu-west-1b): m7a.large (not in eu-west-1b)",
    });
  });

  it('skips a pool with instanceRequirements, saying EC2 picks the types', async () => {
    const { file, hash } = configVariant((c) => {
      c.pools = [
        {
          name: 'flex',
          tags: ['spotlab'],
          architecture: 'x86_64',
          instanceRequirements: { vCpuCount: { min: 2, max: 4 }, memoryMiB: { min: 4096 } },
          maxInstances: 5,
        },
      ];
    });
    stackIs({ ...deployedOutputs(), ConfigHash: hash });

    const outcome = await run(doctorCommand, ['--config', file, '--project', '42', '--json'], {
      fetch: gitlab().fetch,
    });

    expect(checkOf(outcome, 'instance-types:flex')).toMatchObject({ status: 'skip' });
    expect(checkOf(outcome, 'instance-types:flex')?.detail).toContain('instanceRequirements');
  });

  it('skips the check on a stack without the SubnetIds output, saying to deploy again', async () => {
    const { [StackOutput.subnetIds]: _omitted, ...older } = deployedOutputs();
    stackIs(older);

    const outcome = await doctor(['--json']);

    expect(checkOf(outcome, 'instance-types:arm-docker')).toMatchObject({
      status: 'skip',
      fix: 'Run `npx cdk deploy` with this version.',
    });
    expect(aws.ec2.commandCalls(DescribeInstanceTypeOfferingsCommand)).toEqual([]);
  });
});
