import { DynamoDBClient, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeInstancesCommand, EC2Client, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  DeleteParameterCommand,
  GetParameterCommand,
  GetParametersByPathCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readReaperEnv } from '../../lambdas/reaper/env';
import { lambdaContext } from '../support/http-api-event';
import { captureOutput, emittedMetrics } from '../support/output';

const ENV = vi.hoisted(() => {
  const env = {
    AWS_REGION: 'eu-west-1',
    STACK_NAME: 'Spotlab',
    POWERTOOLS_METRICS_NAMESPACE: 'Spotlab',
    JOB_TABLE_NAME: 'jobs',
    GITLAB_URL: 'https://gitlab.example.com',
    GITLAB_TOKEN_PARAMETER: '/spotlab/gitlab-api-token',
    DEMAND_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/demand',
    POOL_LIMITS: '{"arm-docker":{"idleTimeoutSeconds":600,"maxLifetimeMinutes":120}}',
    PRICES: '{"usdPerHour":{},"defaultUsdPerHour":0.1}',
    RUNNER_SCOPE: '{"type":"project"}',
  };
  Object.assign(process.env, env);
  return env;
});
const { handler } = await import('../../lambdas/reaper/handler');

const ec2 = mockClient(EC2Client);
const ssm = mockClient(SSMClient);
const dynamo = mockClient(DynamoDBClient);
const sqs = mockClient(SQSClient);
const API_TOKEN = 'glpat-secret-api-token';
const STALE = 'i-0aaaaaaaaaaaaaaa1';
const GONE = 'i-0bbbbbbbbbbbbbbb2';
const NOW = new Date();
const minutesAgo = (n: number) => new Date(NOW.getTime() - n * 60_000);
let output: ReturnType<typeof captureOutput>;
let requests: Request[];
/** What `GET /runners` lists. */
let runnerList: unknown[];

beforeEach(() => {
  for (const mock of [ec2, ssm, dynamo, sqs]) mock.reset();
  ssm.on(GetParameterCommand).resolves({ Parameter: { Value: API_TOKEN } });
  ssm.on(DeleteParameterCommand).resolves({});
  // STALE never read its token; GONE's token outlived it.
  ssm.on(GetParametersByPathCommand).resolves({
    Parameters: [
      {
        Name: `/spotlab/Spotlab/runner-token/${STALE}`,
        LastModifiedDate: minutesAgo(20),
        Value: 'AQICAHh-ciphertext',
      },
      { Name: `/spotlab/Spotlab/runner-token/${GONE}`, LastModifiedDate: minutesAgo(20) },
    ],
  });
  ec2.on(DescribeInstancesCommand).resolves({
    Reservations: [
      {
        Instances: [
          {
            InstanceId: STALE,
            InstanceType: 'm7g.large',
            LaunchTime: minutesAgo(20),
            Tags: [{ Key: 'spotlab:pool', Value: 'arm-docker' }],
          },
        ],
      },
    ],
  });
  ec2.on(TerminateInstancesCommand).resolves({});
  const seconds = String(Math.floor(minutesAgo(20).getTime() / 1000));
  dynamo.on(QueryCommand).resolves({
    Items: [
      {
        jobId: { N: '1977' },
        state: { S: 'launched' },
        projectId: { N: '380' },
        instanceId: { S: GONE },
        runnerId: { N: '380987' },
        launchedAt: { N: seconds },
      },
    ],
  });
  dynamo.on(UpdateItemCommand).resolves({});
  sqs.on(SendMessageCommand).resolves({});
  requests = [];
  runnerList = [];
  vi.stubGlobal('fetch', async (input: string, init: RequestInit) => {
    const request = new Request(input, init);
    requests.push(request);
    if (request.method === 'DELETE') return new Response(null, { status: 204 });
    if (new URL(request.url).pathname === '/api/v4/runners')
      return new Response(JSON.stringify(runnerList), { status: 200, headers: { 'x-next-page': '' } });
    const job = { id: 1977, name: 'build', status: 'pending', created_at: minutesAgo(20).toISOString() };
    return new Response(JSON.stringify([job]), { status: 200, headers: { 'x-next-page': '' } });
  });
  output = captureOutput();
});
afterEach(() => {
  output.restore();
  vi.unstubAllGlobals();
});

describe('reaper handler', () => {
  it('reaps, cleans up, requeues lost demand and reports it all in metrics, never logging a token', async () => {
    const summary = await handler({ time: NOW.toISOString() }, lambdaContext);

    expect(summary).toMatchObject({
      terminated: 1,
      runnersDeleted: 1,
      tokensDeleted: 2,
      jobsLost: 1,
      requeued: 1,
      failures: 0,
    });
    expect(ec2.commandCalls(TerminateInstancesCommand)[0]?.args[0].input).toEqual({ InstanceIds: [STALE] });
    expect(requests.map((r) => `${r.method} ${new URL(r.url).pathname}`).sort()).toEqual([
      'DELETE /api/v4/runners/380987',
      'GET /api/v4/projects/380/jobs',
      'GET /api/v4/runners',
    ]);
    const updates = dynamo.commandCalls(UpdateItemCommand).map((call) => call.args[0].input);
    // The runner's deletion is recorded on the item, then the item marked lost.
    expect(updates.map((u) => u.UpdateExpression?.split(' ')[0])).toEqual(['ADD', 'SET']);
    expect(updates[1]).toMatchObject({
      Key: { jobId: { N: '1977' } },
      ExpressionAttributeValues: { ':lost': { S: 'lost' }, ':instance': { S: GONE } },
    });
    const sent = sqs.commandCalls(SendMessageCommand)[0]?.args[0].input;
    expect(sent?.QueueUrl).toBe(ENV.DEMAND_QUEUE_URL);
    expect(JSON.parse(sent?.MessageBody ?? '{}')).toMatchObject({
      kind: 'demand',
      jobId: 1977,
      projectId: 380,
    });
    expect(emittedMetrics(output.lines())).toEqual(
      expect.arrayContaining([
        'OrphansReaped kind=instance_no_token',
        'OrphansReaped kind=runner',
        'OrphansReaped kind=token',
        'JobsLost',
        'LostDemandRequeued',
        'RunningInstances pool=arm-docker',
        'EstimatedSpendPerHour',
      ]),
    );
    const logged = output.lines().join('\n');
    expect(logged).not.toContain(API_TOKEN);
    expect(logged).not.toContain('AQICAHh');
  });

  it('deletes a runner no job item names once it is old enough and GitLab never heard from it', async () => {
    runnerList = [
      { id: 4242, description: 'spotlab job 31337', online: false, created_at: minutesAgo(30).toISOString() },
      {
        id: 77,
        description: 'shared-docker-runner',
        online: true,
        created_at: minutesAgo(900).toISOString(),
      },
    ];
    const summary = await handler({ time: NOW.toISOString() }, lambdaContext);

    expect(summary).toMatchObject({ runnersDeleted: 2, unrecordedRunnersDeleted: 1, failures: 0 });
    const runnerCalls = requests.filter((r) => new URL(r.url).pathname.startsWith('/api/v4/runners'));
    expect(runnerCalls.map((r) => `${r.method} ${new URL(r.url).pathname}${new URL(r.url).search}`)).toEqual(
      expect.arrayContaining([
        'GET /api/v4/runners?type=project_type&per_page=100&page=1',
        'DELETE /api/v4/runners/4242',
      ]),
    );
    expect(runnerCalls.map((r) => r.url)).not.toContainEqual(expect.stringMatching(/\/runners\/77$/));
    expect(emittedMetrics(output.lines())).toContain('OrphansReaped kind=runner_unrecorded');
  });

  it('counts a failed step by stage and goes on with the rest', async () => {
    ec2.on(TerminateInstancesCommand).rejects(new Error('RequestLimitExceeded'));

    const summary = await handler({ time: NOW.toISOString() }, lambdaContext);

    expect(summary).toMatchObject({ terminated: 0, runnersDeleted: 1, failures: 1 });
    expect(emittedMetrics(output.lines())).toContain('ReaperFailures stage=terminate');
    expect(emittedMetrics(output.lines())).toContain('ReaperFailures');
    expect(output.lines().join('\n')).toContain('reaper step failed');
  });
});

describe('readReaperEnv', () => {
  it('applies the documented defaults', () => {
    expect(readReaperEnv(ENV).sweep).toMatchObject({
      tokenPickupSeconds: 600,
      bootGraceSeconds: 300,
      pendingGraceSeconds: 120,
      maxPagesPerSweep: 10,
      projectIds: [],
      runnerScope: { type: 'project' },
    });
  });

  it('names every bad variable in one error', () => {
    expect(() =>
      readReaperEnv({ ...ENV, POOL_LIMITS: '{}', PROJECT_IDS: '[0]', MAX_PAGES_PER_SWEEP: '0' }),
    ).toThrow('reaper environment is invalid: POOL_LIMITS, PROJECT_IDS, MAX_PAGES_PER_SWEEP');
  });

  it.each([
    ['missing', undefined],
    ['a group scope without its group', '{"type":"group"}'],
    ['not JSON', 'project'],
  ])('refuses a runner scope that is %s', (_case, scope) => {
    expect(() => readReaperEnv({ ...ENV, RUNNER_SCOPE: scope })).toThrow(
      'reaper environment is invalid: RUNNER_SCOPE',
    );
  });

  it('reads a group runner scope', () => {
    expect(
      readReaperEnv({ ...ENV, RUNNER_SCOPE: '{"type":"group","groupId":12}' }).sweep.runnerScope,
    ).toEqual({
      type: 'group',
      groupId: 12,
    });
  });
});
