import {
  type AttributeValue,
  DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DescribeInstancesCommand, EC2Client, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DeleteParameterCommand, GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sqsRecord } from '../../sim/sqs-event-source';
import { lambdaContext } from '../support/http-api-event';
import { captureOutput, emittedMetrics } from '../support/output';
import { jobEvent, spotWarning, stateChange } from './lifecycle-world';

// Static imports are not evaluated yet when a hoisted block runs: it imports the environment itself.
await vi.hoisted(async () => {
  const { LIFECYCLE_ENV } = await import('./lifecycle-env');
  Object.assign(process.env, { AWS_REGION: 'eu-west-1', ...LIFECYCLE_ENV });
});
const { handler } = await import('../../lambdas/lifecycle/handler');

const ec2 = mockClient(EC2Client);
const ssm = mockClient(SSMClient);
const dynamo = mockClient(DynamoDBClient);
const sqs = mockClient(SQSClient);
const API_TOKEN = 'glpat-secret-api-token';
const INSTANCE = 'i-0123456789abcdef0';
const at = { runnerId: 380987, instanceId: INSTANCE };
let output: ReturnType<typeof captureOutput>;
let requests: Request[];

/** Job 1977 as the job table holds it while it runs on INSTANCE. */
const runningItem = (extra: Record<string, AttributeValue> = {}): Record<string, AttributeValue> => ({
  jobId: { N: '1977' },
  state: { S: 'running' },
  projectId: { N: '380' },
  instanceId: { S: INSTANCE },
  runnerId: { N: '380987' },
  pool: { S: 'arm-docker' },
  ...extra,
});

/** Job 1977's launch record: Spotlab registered runner 380987 on INSTANCE for it. */
const launchRecord: Record<string, AttributeValue> = {
  jobId: { N: '1977' },
  launchInstanceId: { S: INSTANCE },
  launchRunnerId: { N: '380987' },
};

/** Job 1977's item as scale-up leaves it: launched on INSTANCE with runner 380987 (`spotlab job 1977`). */
const launchedItem: Record<string, AttributeValue> = {
  ...launchRecord,
  state: { S: 'launched' },
  projectId: { N: '380' },
  instanceId: { S: INSTANCE },
  runnerId: { N: '380987' },
  pool: { S: 'arm-docker' },
};

/** GitLab: runners delete with 204, a cancel answers the cancelled job, a retry the new job 1978. */
function stubGitlab(answer: (request: Request) => Response | undefined = () => undefined): void {
  requests = [];
  vi.stubGlobal('fetch', async (input: string, init: RequestInit) => {
    const request = new Request(input, init);
    requests.push(request);
    const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status });
    const override = answer(request);
    if (override !== undefined) return override;
    if (request.method === 'DELETE') return new Response(null, { status: 204 });
    if (request.url.endsWith('/cancel')) return json(201, { id: 1977, status: 'canceled' });
    if (request.url.endsWith('/retry')) return json(201, { id: 1978, status: 'pending' });
    return json(404, { message: '404 Not Found' });
  });
}

beforeEach(() => {
  ec2.reset();
  ssm.reset();
  dynamo.reset();
  sqs.reset();
  sqs.on(SendMessageCommand).resolves({});
  ssm.on(GetParameterCommand).resolves({ Parameter: { Value: API_TOKEN } });
  ssm.on(DeleteParameterCommand).resolves({});
  dynamo.on(GetItemCommand).resolves({});
  dynamo.on(GetItemCommand, { Key: { jobId: { N: '1977' } } }).resolves({ Item: launchedItem });
  dynamo.on(UpdateItemCommand).resolves({});
  dynamo.on(QueryCommand).resolves({ Items: [] });
  dynamo
    .on(QueryCommand, {
      IndexName: 'byLaunchInstance',
      ExpressionAttributeValues: { ':value': { S: INSTANCE } },
    })
    .resolves({ Items: [launchRecord] });
  ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: INSTANCE }] }] });
  ec2.on(TerminateInstancesCommand).resolves({});
  stubGitlab();
  output = captureOutput();
});
afterEach(() => {
  output.restore();
  vi.unstubAllGlobals();
});

const sqsEvent = (...bodies: string[]): SQSEvent => ({
  Records: bodies.map((body, index) => sqsRecord(`m${index + 1}`, body)),
});
const send = (...bodies: string[]) => handler(sqsEvent(...bodies), lambdaContext);
const metrics = () => emittedMetrics(output.lines());
const gitlabCalls = () => requests.map((r) => `${r.method} ${new URL(r.url).pathname}`);

describe('lifecycle handler: jobs', () => {
  it('cleans up after a finished job at once and acknowledges the batch', async () => {
    const result = await send(jobEvent('job-hook-success', 1977, at));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(ec2.commandCalls(TerminateInstancesCommand)[0]?.args[0].input).toEqual({
      InstanceIds: [INSTANCE],
    });
    expect(gitlabCalls()).toEqual(['DELETE /api/v4/runners/380987']);
    expect(ssm.commandCalls(DeleteParameterCommand)[0]?.args[0].input).toEqual({
      Name: `/spotlab/Spotlab/runner-token/${INSTANCE}`,
    });
    const [recorded, finished] = dynamo.commandCalls(UpdateItemCommand).map((call) => call.args[0].input);
    // The runner's deletion is recorded on its item first, then the job finished.
    expect(recorded).toMatchObject({
      Key: { jobId: { N: '1977' } },
      UpdateExpression: 'ADD runnersDeleted :runner',
      ExpressionAttributeValues: { ':runner': { NS: ['380987'] } },
    });
    expect(finished).toMatchObject({
      TableName: 'jobs',
      Key: { jobId: { N: '1977' } },
      ExpressionAttributeValues: { ':finished': { S: 'finished' }, ':status': { S: 'success' } },
    });
    expect(metrics()).toEqual(
      expect.arrayContaining([
        'InstancesTerminated reason=job_finished',
        'RunnersDeleted reason=job_finished',
      ]),
    );
  });

  it('records a running job and reports how long it waited, by pool', async () => {
    dynamo.on(UpdateItemCommand).resolves({ Attributes: { pool: { S: 'arm-docker' } } });

    const result = await send(jobEvent('job-hook-running', 1977, at));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(dynamo.commandCalls(UpdateItemCommand)[0]?.args[0].input.ReturnValues).toBe('ALL_OLD');
    expect(metrics()).toContain('JobWait pool=arm-docker');
  });

  it('gives a job whose launched instance another job took back to the demand queue, and counts it', async () => {
    dynamo
      .on(UpdateItemCommand)
      .resolvesOnce({ Attributes: { pool: { S: 'arm-docker' } } })
      .resolvesOnce({
        Attributes: { jobId: { N: '41' }, state: { S: 'launched' }, projectId: { N: '380' } },
      });
    dynamo.on(QueryCommand).resolves({
      Items: [{ jobId: { N: '41' }, launchInstanceId: { S: INSTANCE }, launchRunnerId: { N: '380987' } }],
    });

    const result = await send(jobEvent('job-hook-running', 1977, at));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(dynamo.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({
      IndexName: 'byLaunchInstance',
    });
    const sent = sqs.commandCalls(SendMessageCommand)[0]?.args[0].input;
    expect(sent?.QueueUrl).toBe('https://sqs.eu-west-1.amazonaws.com/123456789012/demand');
    expect(JSON.parse(sent?.MessageBody ?? '{}')).toMatchObject({
      kind: 'demand',
      jobId: 41,
      projectId: 380,
    });
    expect(metrics()).toContain('DemandDisplaced');
  });

  it.each([
    ['success', 'job-hook-success'],
    ['running', 'job-hook-running'],
  ] as const)(
    'terminates, deletes and records nothing for a %s hook whose runner Spotlab never registered on the instance it names, and counts it',
    async (status, fixture) => {
      // A runner someone named `spotlab job 1977`: job 1977's launch record names runner 380987, not 666.
      const result = await send(jobEvent(fixture, 2001, { runnerId: 666, launchJobId: 1977 }));

      expect(result).toEqual({ batchItemFailures: [] });
      expect(ec2.calls()).toHaveLength(0);
      expect(requests).toEqual([]);
      expect(ssm.commandCalls(DeleteParameterCommand)).toHaveLength(0);
      expect(dynamo.commandCalls(UpdateItemCommand)).toHaveLength(0);
      expect(metrics()).toContain(`UnrecordedRunnerIgnored kind=${status}`);
      expect(output.lines().join('\n')).toContain('hook names a runner no Spotlab launch recorded');
    },
  );

  it('acknowledges an unreadable message with an error and a metric', async () => {
    const result = await send('{"kind":"lifecycle"}');

    expect(result).toEqual({ batchItemFailures: [] });
    expect(output.lines().join('\n')).toContain('lifecycle message unreadable, acknowledged');
    expect(metrics()).toContain('LifecycleInvalid');
  });

  it('lists only the message whose cleanup failed in batchItemFailures', async () => {
    ec2.on(TerminateInstancesCommand).rejects(new Error('RequestLimitExceeded'));

    const result = await send(jobEvent('job-hook-success', 1977, at), stateChange('i-0fedcba9876543210'));

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
    expect(metrics()).toContain('LifecycleFailures stage=terminate');
    // The runner was deleted (and that recorded), but the job is not recorded finished: it retries.
    const writes = dynamo.commandCalls(UpdateItemCommand).map((call) => call.args[0].input.UpdateExpression);
    expect(writes).toEqual(['ADD runnersDeleted :runner']);
  });

  it('retries a message whose job table write fails', async () => {
    dynamo.on(GetItemCommand).rejects(new Error('ProvisionedThroughputExceededException'));

    const result = await send(jobEvent('job-hook-success', 1977, at));

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
    expect(metrics()).toContain('LifecycleFailures stage=journal');
  });
});

describe('lifecycle handler: EC2 events', () => {
  it('marks the job running on a spot-interrupted instance', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [runningItem()] });

    const result = await send(spotWarning(INSTANCE));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(dynamo.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({
      TableName: 'jobs',
      IndexName: 'byInstance',
      KeyConditionExpression: 'instanceId = :value',
      ExpressionAttributeValues: { ':value': { S: INSTANCE } },
    });
    expect(dynamo.commandCalls(UpdateItemCommand)[0]?.args[0].input.UpdateExpression).toBe(
      'SET interrupted = :true, interruptedAt = :now',
    );
    expect(metrics()).toContain('SpotInterruptions kind=job_running');
    expect(requests).toEqual([]);
  });

  it('retries the interrupted job once its instance shuts down, and deletes its runner and token', async () => {
    const interrupted = runningItem({ interrupted: { BOOL: true } });
    dynamo.on(QueryCommand).resolves({ Items: [interrupted] });
    dynamo.on(GetItemCommand).resolves({ Item: interrupted });

    const result = await send(stateChange(INSTANCE, 'shutting-down'));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(gitlabCalls()).toEqual([
      'POST /api/v4/projects/380/jobs/1977/cancel',
      'POST /api/v4/projects/380/jobs/1977/retry',
      'DELETE /api/v4/runners/380987',
    ]);
    const updates = dynamo
      .commandCalls(UpdateItemCommand)
      .map((call) => call.args[0].input.ExpressionAttributeValues);
    expect(updates).toEqual(
      expect.arrayContaining([expect.objectContaining({ ':retriedAs': { N: '1978' } })]),
    );
    expect(ssm.commandCalls(DeleteParameterCommand)).toHaveLength(1);
    expect(metrics()).toEqual(expect.arrayContaining(['JobsRetried', 'RunnersDeleted reason=instance_gone']));
  });

  it('makes no call beyond the index for an instance of another stack', async () => {
    const result = await send(stateChange('i-0fedcba9876543210', 'terminated'));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(requests).toEqual([]);
    expect(ec2.calls()).toHaveLength(0);
    expect(ssm.commandCalls(DeleteParameterCommand)).toHaveLength(0);
    expect(metrics()).toContain('LifecycleIgnored reason=not_our_instance');
  });

  it('keeps the message and counts an auth failure when GitLab refuses the token', async () => {
    stubGitlab(() => new Response(JSON.stringify({ message: '401 Unauthorized' }), { status: 401 }));

    const result = await send(jobEvent('job-hook-success', 1977, at));

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
    expect(metrics()).toEqual(
      expect.arrayContaining(['GitlabAuthFailures', 'LifecycleFailures stage=runner']),
    );
  });
});

describe('lifecycle handler: secrets', () => {
  it('never logs the GitLab API token or a runner token', async () => {
    await send(jobEvent('job-hook-success', 1977, at));
    // 422: refused without retries, so the test does not wait out backoffs.
    stubGitlab(() => new Response('{"message":"422 Unprocessable"}', { status: 422 }));
    ec2.on(TerminateInstancesCommand).rejects(new Error('boom'));
    dynamo.on(QueryCommand).resolves({ Items: [runningItem({ interrupted: { BOOL: true } })] });
    dynamo.on(GetItemCommand).resolves({ Item: runningItem({ interrupted: { BOOL: true } }) });
    await send(jobEvent('job-hook-success', 1978, at), stateChange(INSTANCE, 'terminated'));

    const logs = output.lines().join('\n');
    expect(logs).toContain('lifecycle step failed');
    expect(logs).not.toContain(API_TOKEN);
    expect(logs).not.toContain('glrt-');
  });
});
