import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import { statusCommand } from '../../cli/commands/status';
import {
  aws,
  DEMAND_DLQ_URL,
  DEMAND_URL,
  fleetIs,
  gitlabStub,
  instance,
  jobsAre,
  mappingIs,
  parametersAre,
  queuesAre,
  run,
  stackDeployed,
  stackIs,
  stackIsMissing,
} from './harness';

const A = 'i-0aaaaaaaaaaaaaaa1';
const B = 'i-0bbbbbbbbbbbbbbb2';

const runnersPage = {
  body: [
    // Created for job 1001 (A is tagged with it) and for job 1003, whose instance is gone.
    { id: 501, description: 'spotlab job 1001', status: 'online', paused: false },
    { id: 502, description: 'spotlab job 1003', status: 'offline', paused: false },
    { id: 9, description: 'shared docker runner', status: 'online', paused: false },
  ],
};

beforeEach(() => {
  stackDeployed();
  mappingIs('Enabled');
  parametersAre({ '/spotlab/gitlab-api-token': 'SecureString' });
});

describe('spotlab status on a healthy setup', () => {
  beforeEach(() => {
    fleetIs([
      instance(A, 'arm-docker', { type: 'm7g.large', minutesOld: 12, jobTag: 1001 }),
      instance(B, 'x86-docker', { type: 'm7i.large', spot: false, minutesOld: 1, jobTag: 1002 }),
    ]);
    jobsAre({ [A]: [1001, 'running'] });
    queuesAre({ [DEMAND_URL]: [3, 1] });
  });

  it('prints pools, instances with age, lifecycle and job, runners, jobs waiting and spend', async () => {
    const gitlab = gitlabStub({ '/runners': runnersPage });

    const { code, stdout } = await run(statusCommand, [], { fetch: gitlab.fetch });

    expect(code).toBe(0);
    expect(stdout).toContain('Launching:     enabled');
    expect(stdout).toContain('Instances:     2 of 20');
    // m7g.large 0.0816 + m7i.large 0.1008, both at on-demand rates.
    expect(stdout).toContain('Spend now:     $0.18/h of $5.00/h cap');
    expect(stdout).toContain(
      'Jobs waiting:  3 queued, 1 being launched or retried; drains in ≤ 2s at 2 launches/s',
    );
    expect(stdout).toMatch(/arm-docker\s+1\s+10/);
    expect(stdout).toMatch(
      new RegExp(`${A}\\s+arm-docker\\s+m7g.large\\s+running\\s+spot\\s+12m\\s+1001 running`),
    );
    expect(stdout).toMatch(
      new RegExp(`${B}\\s+x86-docker\\s+m7i.large\\s+running\\s+on-demand\\s+1m\\s+1002 launched \\(tag\\)`),
    );
    expect(stdout).toMatch(new RegExp(`501\\s+1001\\s+${A}\\s+online\\s+yes`));
    expect(stdout).toMatch(/502\s+1003\s+-\s+offline\s+no/);
    expect(stdout).not.toContain('shared docker runner');
    expect(stdout).toContain('1 runner(s) without a live instance');
  });

  it('prints the same as one JSON document with --json', async () => {
    const gitlab = gitlabStub({ '/runners': runnersPage });

    const { code, stdout } = await run(statusCommand, ['--json'], { fetch: gitlab.fetch });

    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.launching).toBe('enabled');
    expect(report.totals).toEqual({ maxInstances: 20, running: 2 });
    expect(report.pools).toEqual([
      { name: 'arm-docker', maxInstances: 10, running: 1 },
      { name: 'x86-docker', maxInstances: 10, running: 1 },
    ]);
    expect(report.instances[0]).toEqual({
      instanceId: A,
      pool: 'arm-docker',
      instanceType: 'm7g.large',
      state: 'running',
      lifecycle: 'spot',
      ageSeconds: 720,
      jobId: 1001,
      jobState: 'running',
      jobSource: 'job table',
    });
    expect(report.runners.list.map((r: { id: number }) => r.id)).toEqual([501, 502]);
    expect(report.queues).toEqual({
      demand: { waiting: 3, inFlight: 1, delayed: 0 },
      demandDeadLetters: 0,
      lifecycleDeadLetters: 0,
    });
    expect(report.spend).toEqual({ usdPerHour: 0.1824, capUsdPerHour: 5, idleUsdPerMonth: 8.21 });
    expect(report.problems).toEqual([]);
  });

  it("lists the stack's instances by its tag, in every state but terminated", async () => {
    await run(statusCommand, ['--json'], { fetch: gitlabStub({ '/runners': runnersPage }).fetch });

    const input = describeInstancesInput();
    expect(input?.Filters).toEqual([
      { Name: 'tag:spotlab:stack', Values: ['Spotlab'] },
      { Name: 'instance-state-name', Values: ['pending', 'running', 'shutting-down', 'stopping', 'stopped'] },
    ]);
  });

  it('reads project runners, every page, with the token from SSM when GITLAB_TOKEN is unset', async () => {
    const gitlab = gitlabStub({
      '/runners': (url) => (url.searchParams.get('page') === '1' ? { body: [], nextPage: 2 } : runnersPage),
    });

    await run(statusCommand, ['--json'], { fetch: gitlab.fetch });

    expect(gitlab.calls.map((c) => `${c.url.pathname}${c.url.search}`)).toEqual([
      '/api/v4/runners?type=project_type&per_page=100&page=1',
      '/api/v4/runners?type=project_type&per_page=100&page=2',
    ]);
    expect(gitlab.calls.every((c) => c.token === 'glpat-spotlab')).toBe(true);
  });

  it('uses GITLAB_TOKEN from the environment when set', async () => {
    const gitlab = gitlabStub({ '/runners': runnersPage });

    await run(statusCommand, ['--json'], { fetch: gitlab.fetch, env: { GITLAB_TOKEN: 'glpat-operator' } });

    expect(gitlab.calls[0]?.token).toBe('glpat-operator');
  });
});

describe('spotlab status on an empty setup', () => {
  beforeEach(() => {
    fleetIs([]);
    jobsAre({});
    queuesAre({});
  });

  it('says there is no instance and no runner, spends nothing, exit 0', async () => {
    const { code, stdout } = await run(statusCommand, [], {
      fetch: gitlabStub({ '/runners': { body: [] } }).fetch,
    });

    expect(code).toBe(0);
    expect(stdout).toContain('Instances:     0 of 20');
    expect(stdout).toContain('Spend now:     $0.00/h');
    // Two pools: 19 alarm metrics, a dashboard, 4 idle metrics, a KMS key, the reaper (docs/cost.md).
    expect(stdout).toContain('Idle cost:     ≈ $8.21/month with no job running');
    expect(stdout).toContain('(no instance)');
    expect(stdout).toContain('(no Spotlab runner)');
    expect(stdout).not.toContain('note:');
  });

  it('prints empty lists with --json', async () => {
    const { code, stdout } = await run(statusCommand, ['--json'], {
      fetch: gitlabStub({ '/runners': { body: [] } }).fetch,
    });

    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      instances: [],
      runners: { list: [] },
      spend: { usdPerHour: 0 },
    });
  });
});

describe('spotlab status on a broken setup', () => {
  beforeEach(() => {
    fleetIs([instance(A, 'arm-docker')]);
    jobsAre({});
    queuesAre({ [DEMAND_DLQ_URL]: [2, 0] });
  });

  it('shows what it could read, names GitLab refusing the token, notes dead letters and a drain, exit 1', async () => {
    mappingIs('Disabled');
    const gitlab = gitlabStub({ '/runners': { status: 401, body: { message: '401 Unauthorized' } } });

    const { code, stdout } = await run(statusCommand, [], { fetch: gitlab.fetch });

    expect(code).toBe(1);
    expect(stdout).toContain('Launching:     drained');
    expect(stdout).toContain(A);
    expect(stdout).toContain('(could not be read)');
    expect(stdout).toContain('problem: GitLab runners: GitLab refused the API token (HTTP 401)');
    expect(stdout).toContain('note: messages in a dead-letter queue');
    expect(stdout).toContain('note: launching is drained: run `spotlab resume`');
  });

  it('reports the problems in the JSON document too', async () => {
    const gitlab = gitlabStub({ '/runners': { status: 401, body: {} } });

    const { code, stdout } = await run(statusCommand, ['--json'], { fetch: gitlab.fetch });

    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report.runners).toBeNull();
    expect(report.queues.demandDeadLetters).toBe(2);
    expect(report.problems).toEqual([expect.stringMatching(/^GitLab runners: GitLab refused the API token/)]);
  });

  it('says the stack is not deployed and how to fix it, exit 1', async () => {
    stackIsMissing();

    const { code, stdout, stderr } = await run(statusCommand, []);

    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('stack Spotlab is not deployed in this account and Region');
    expect(stderr).toContain('fix: Deploy it (`npx cdk deploy`)');
  });

  it('says the SDK found no AWS credentials and where it looks, exit 1', async () => {
    aws.cfn.on(DescribeStacksCommand).rejects(
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
    );

    const { code, stderr } = await run(statusCommand, []);

    expect(code).toBe(1);
    expect(stderr).toContain('spotlab status: AWS: no AWS credentials');
    expect(stderr).toContain('fix: The SDK default chain found none: set AWS_PROFILE, run `aws sso login`');
  });

  it('says there is no AWS Region and how to give one, exit 1', async () => {
    aws.cfn.on(DescribeStacksCommand).rejects(new Error('Region is missing'));

    const { code, stderr } = await run(statusCommand, []);

    expect(code).toBe(1);
    expect(stderr).toBe(
      'spotlab status: AWS: no AWS Region\n  fix: Pass --region, or set AWS_REGION or a profile region.\n',
    );
  });

  it('says a stack deployed before the CLI lacks its outputs and must be redeployed', async () => {
    stackIs({ WebhookUrl: 'https://example.com/webhook' });

    const { code, stderr } = await run(statusCommand, ['--json']);

    expect(code).toBe(1);
    expect(stderr).toContain('stack Spotlab has no JobTableName output');
    expect(stderr).toContain('run `npx cdk deploy` with this version');
  });
});

describe('spotlab status usage', () => {
  it('prints its help, naming where the GitLab token comes from, exit 0', async () => {
    const { code, stdout } = await run(statusCommand, ['--help']);

    expect(code).toBe(0);
    expect(stdout).toContain('Usage: spotlab status');
    expect(stdout).toContain('GITLAB_TOKEN');
    expect(stdout).toContain('gitlab.apiTokenParameter');
  });

  it.each([
    [['--bogus'], "Unknown option '--bogus'"],
    [['--region', 'Mars'], '--region: must be an AWS Region'],
    [['--stack', '1bad'], '--stack: must be a CloudFormation stack name'],
  ])('refuses %j with exit 2', async (args, message) => {
    const { code, stderr } = await run(statusCommand, args);

    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });

  it('refuses a configuration file that does not validate, naming the key, exit 1', async () => {
    const { code, stderr } = await run(statusCommand, ['--config', 'test/cli/no-such.config.json']);

    expect(code).toBe(1);
    expect(stderr).toContain('Invalid Spotlab configuration in test/cli/no-such.config.json');
  });
});

function describeInstancesInput() {
  return aws.ec2.commandCalls(DescribeInstancesCommand)[0]?.args[0].input;
}
