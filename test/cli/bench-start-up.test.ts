import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  CreateFleetCommand,
  DescribeInstancesCommand,
  GetConsoleOutputCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { DeleteParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { beforeEach, describe, expect, it } from 'vitest';
import { benchCommand } from '../../cli/commands/bench';
import { benchStartupCommand } from '../../cli/commands/bench-start-up';
import { encodeScaleUpEnv, type ScaleUpEnv } from '../../lambdas/scale-up/env';
import { runtimePool } from '../../lambdas/scale-up/runtime-pool';
import { loadConfig } from '../../lib/config/load';
import { aws, CONFIG_FILE, gitlabStub, run, stackDeployed } from './harness';

const A = 'i-0aaaaaaaaaaaaaaa1';
const B = 'i-0bbbbbbbbbbbbbbb2';
const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', GITLAB_TOKEN: 'glpat-bench' };
const shipped = loadConfig(CONFIG_FILE);

const settings: ScaleUpEnv = {
  stackName: 'Spotlab',
  metricsNamespace: 'Spotlab',
  instanceArnPrefix: 'arn:aws:ec2:eu-west-1:123456789012:instance/',
  tableName: 'Spotlab-Jobs',
  interruptionTableName: 'Spotlab-Interruptions',
  gitlabUrl: shipped.gitlab.url,
  gitlabTokenParameter: shipped.gitlab.apiTokenParameter,
  scope: { type: 'group', groupId: 12 },
  admission: { allowedProjects: [380], allowedNamespaces: ['acme/platform'] },
  pools: shipped.pools.map((pool, index) => runtimePool(pool, `lt-0${index}`)),
  subnetIds: ['subnet-0aaa1111', 'subnet-0bbb2222'],
  limits: { maxInstances: 10, maxSpendPerHourUsd: 2.5, maxInstancesPerProject: 5 },
  prices: shipped.prices,
  shapeTags: shipped.shapeTags,
  demandQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/Spotlab-Demand',
  ec2LaunchRate: { burst: 1_000, perSecond: 2 },
};

// The bootstrap's own line (runner-bootstrap.sh, report_startup), amid cloud-init's output.
const consoleOf = (line: string) =>
  Buffer.from(
    `[   12.3] cloud-init[1450]: spotlab: runner token read\n${line}\nspotlab: powering off (exit status 0)\n`,
  ).toString('base64');

/** DescribeInstances by id answers `states[n]` on its n-th call, the last one from then on. */
function statesAre(states: readonly Record<string, string>[]): void {
  let call = 0;
  aws.ec2.on(DescribeInstancesCommand).callsFake((input: { InstanceIds?: string[] }) => {
    if (input.InstanceIds === undefined) return { Reservations: [] };
    const now = states[Math.min(call, states.length - 1)] ?? {};
    call += 1;
    const Instances = input.InstanceIds.map((InstanceId) => ({
      InstanceId,
      State: { Name: now[InstanceId] },
    }));
    return { Reservations: [{ Instances }] };
  });
}

function gitlab() {
  let next = 9000;
  return gitlabStub({
    '/user/runners': () => {
      next += 1;
      return { status: 201, body: { id: next, token: `glrt-bench-${next}` } };
    },
    '/runners/9001': { body: {} },
    '/runners/9002': { body: {} },
  });
}

beforeEach(() => {
  stackDeployed();
  aws.lambda
    .on(GetFunctionConfigurationCommand)
    .resolves({ Environment: { Variables: encodeScaleUpEnv(settings) } });
  aws.ec2.on(CreateFleetCommand).resolves({
    Instances: [{ InstanceIds: [A, B], InstanceType: 'm7g.large', Lifecycle: 'spot' }],
    Errors: [],
  });
  aws.ec2.on(TerminateInstancesCommand).resolves({});
  aws.ssm.on(PutParameterCommand).resolves({});
  aws.ssm.on(DeleteParameterCommand).resolves({});
  aws.ec2.on(GetConsoleOutputCommand, { InstanceId: A }).resolves({
    Output: consoleOf('spotlab: start-up: boot 8.10s, token at 9.30s, tools at 38.50s, runner at 39.60s'),
  });
  aws.ec2.on(GetConsoleOutputCommand, { InstanceId: B }).resolves({
    Output: consoleOf('spotlab: start-up: boot 9.00s, token at 10.00s, tools at 11.50s, runner at 12.50s'),
  });
});

describe('spotlab bench start-up', () => {
  it('refuses to start without AWS credentials, and launches nothing', async () => {
    const outcome = await run(benchStartupCommand, ['--pool', 'arm-docker', '--count', '2'], {
      env: { GITLAB_TOKEN: 'glpat-bench' },
    });

    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain(
      'needs AWS credentials (AWS_PROFILE or AWS_ACCESS_KEY_ID); nothing was launched',
    );
    expect(aws.cfn.commandCalls(DescribeStacksCommand)).toHaveLength(0);
    expect(aws.ec2.commandCalls(CreateFleetCommand)).toHaveLength(0);
  });

  it("launches through the pool's launch template, a runner and token per instance, and prints each stage", async () => {
    statesAre([
      { [A]: 'pending', [B]: 'pending' },
      { [A]: 'running', [B]: 'running' },
      { [A]: 'terminated', [B]: 'terminated' },
    ]);
    const { fetch, calls } = gitlab();

    const outcome = await run(benchStartupCommand, ['--pool', 'arm-docker', '--count', '2'], {
      fetch,
      env: CREDENTIALS,
    });

    expect(outcome.code).toBe(0);
    const fleet = aws.ec2.commandCalls(CreateFleetCommand)[0]?.args[0].input;
    expect(fleet?.LaunchTemplateConfigs?.[0]?.LaunchTemplateSpecification?.LaunchTemplateId).toBe('lt-00');
    expect(fleet?.TargetCapacitySpecification?.TotalTargetCapacity).toBe(2);
    expect(fleet?.TagSpecifications?.[0]?.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'spotlab:stack', Value: 'Spotlab' },
        { Key: 'spotlab:pool', Value: 'arm-docker' },
        { Key: 'spotlab:bench', Value: expect.stringMatching(/^bench-/) },
      ]),
    );
    const created = calls.filter((c) => c.url.pathname === '/api/v4/user/runners');
    expect(created).toHaveLength(2);
    expect(aws.ssm.commandCalls(PutParameterCommand).map((c) => c.args[0].input.Name)).toEqual([
      `/spotlab/Spotlab/runner-token/${A}`,
      `/spotlab/Spotlab/runner-token/${B}`,
    ]);
    expect(outcome.stdout).toMatch(/\ntools\s+token read → tools ready\s+2\s+1\.5\s+29\.2\n/);
    expect(outcome.stdout).toMatch(/\ntotal\s+kernel boot → runner asking\s+2\s+12\.5\s+39\.6\n/);
    expect(outcome.stdout).toContain('cleaned up: no instance of the run is left');
  });

  it('terminates an instance that never powered off, and deletes every runner and token it made', async () => {
    const stuck = { [A]: 'running', [B]: 'terminated' };
    // Two polls within the 2 s timeout, the cleanup's look: A still runs; then it is gone.
    statesAre([stuck, stuck, stuck, { [A]: 'terminated', [B]: 'terminated' }]);
    const { fetch, calls } = gitlab();

    await run(benchStartupCommand, ['--pool', 'arm-docker', '--count', '2', '--timeout', '2s'], {
      fetch,
      env: CREDENTIALS,
    });

    expect(aws.ec2.commandCalls(TerminateInstancesCommand).map((c) => c.args[0].input.InstanceIds)).toEqual([
      [A],
    ]);
    expect(calls.filter((c) => /^\/api\/v4\/runners\/900[12]$/.test(c.url.pathname))).toHaveLength(2);
    expect(aws.ssm.commandCalls(DeleteParameterCommand)).toHaveLength(2);
  });

  it('runs start-up as its one subcommand, and says so for any other', async () => {
    let stderr = '';
    const io = {
      stdout: () => {},
      stderr: (text: string) => {
        stderr += text;
      },
      env: {},
    };

    expect(await benchCommand.run(['warm-up'], io)).toBe(2);
    expect(stderr).toContain('unknown subcommand "warm-up"');
  });

  it('names the pools when asked for one the stack does not have', async () => {
    const outcome = await run(benchStartupCommand, ['--pool', 'gpu', '--count', '1'], { env: CREDENTIALS });

    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain('stack Spotlab has no pool gpu');
    expect(outcome.stderr).toContain('arm-docker, x86-docker');
    expect(aws.ec2.commandCalls(CreateFleetCommand)).toHaveLength(0);
  });
});
