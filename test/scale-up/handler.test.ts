import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateFleetCommand, DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sqsRecord } from '../../sim/sqs-event-source';
import { fixtureText } from '../support/fixtures';
import { lambdaContext } from '../support/http-api-event';
import { captureOutput, emittedMetrics } from '../support/output';
import { demand, POOLS } from './scale-up-world';

vi.hoisted(() => {
  Object.assign(process.env, {
    AWS_REGION: 'eu-west-1',
    STACK_NAME: 'Spotlab',
    POWERTOOLS_METRICS_NAMESPACE: 'Spotlab',
    RUNNER_INSTANCE_ARN_PREFIX: 'arn:aws:ec2:eu-west-1:123456789012:instance/',
    JOB_TABLE_NAME: 'jobs',
    INTERRUPTION_TABLE_NAME: 'interruptions',
    GITLAB_URL: 'https://gitlab.example.com',
    GITLAB_TOKEN_PARAMETER: '/spotlab/gitlab-api-token',
    RUNNER_SCOPE: '{"type":"project"}',
    SUBNET_IDS: '["subnet-0a"]',
    MAX_INSTANCES: '10',
    MAX_SPEND_PER_HOUR_USD: '5',
    PRICES: '{"usdPerHour":{},"defaultUsdPerHour":1}',
    SHAPE_TAGS: '{"cpuPrefix":"cpu:","memoryGiBPrefix":"mem:"}',
    DEMAND_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/spotlab-demand',
  });
});
process.env.POOLS = JSON.stringify(POOLS);
const { handler } = await import('../../lambdas/scale-up/handler');

const ec2 = mockClient(EC2Client);
const ssm = mockClient(SSMClient);
const dynamo = mockClient(DynamoDBClient);
const sqs = mockClient(SQSClient);
const API_TOKEN = 'glpat-secret-api-token';
let output: ReturnType<typeof captureOutput>;

beforeEach(() => {
  ec2.reset();
  ssm.reset();
  dynamo.reset();
  sqs.reset();
  sqs.on(SendMessageCommand).resolves({});
  ssm.on(GetParameterCommand).resolves({ Parameter: { Value: API_TOKEN } });
  ssm.on(PutParameterCommand).resolves({});
  dynamo.on(PutItemCommand).resolves({});
  dynamo.on(UpdateItemCommand).resolves({});
  ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
  ec2.on(CreateFleetCommand).resolves({
    Instances: [{ InstanceIds: ['i-0123456789abcdef0'], InstanceType: 'm7g.large', Lifecycle: 'spot' }],
  });
  vi.stubGlobal('fetch', async (url: string) =>
    url.endsWith('/user/runners')
      ? new Response(fixtureText('api-create-runner'), { status: 201 })
      : new Response(fixtureText('api-get-job').replace('"linux",\n    "docker"', '"arm64"'), {
          status: 200,
        }),
  );
  output = captureOutput();
});
afterEach(() => {
  output.restore();
  vi.unstubAllGlobals();
});

// The webhook received the job just now: scale-up gives up on demand hours old.
const body = (jobId: number) =>
  JSON.stringify({ ...demand(jobId).demand, receivedAt: new Date().toISOString() });

const sqsEvent = (...bodies: { messageId: string; body: string }[]): SQSEvent => ({
  Records: bodies.map(({ messageId, body }) => sqsRecord(messageId, body)),
});

describe('scale-up handler', () => {
  it('launches for a pending job and acknowledges the whole batch', async () => {
    const result = await handler(sqsEvent({ messageId: 'm1', body: body(1977) }), lambdaContext);

    expect(result).toEqual({ batchItemFailures: [] });
    expect(ec2.commandCalls(CreateFleetCommand)).toHaveLength(1);
    expect(ssm.commandCalls(PutParameterCommand)[0]?.args[0].input).toMatchObject({
      Name: '/spotlab/Spotlab/runner-token/i-0123456789abcdef0',
      Type: 'SecureString',
    });
    expect(emittedMetrics(output.lines())).toContain('InstancesLaunched pool=arm-docker lifecycle=spot');
  });

  it('counts a launch shortfall by pool and EC2 error code', async () => {
    ec2.on(CreateFleetCommand).resolves({
      Instances: [],
      Errors: [{ ErrorCode: 'InsufficientInstanceCapacity', ErrorMessage: 'no capacity' }],
    });

    await handler(sqsEvent({ messageId: 'm6', body: body(1982) }), lambdaContext);

    expect(emittedMetrics(output.lines())).toContain(
      'LaunchShortfall pool=arm-docker code=InsufficientInstanceCapacity',
    );
  });

  it('acknowledges an unreadable message with an error and a metric, and launches nothing for it', async () => {
    const result = await handler(sqsEvent({ messageId: 'bad', body: '{"kind":"demand"}' }), lambdaContext);

    expect(result).toEqual({ batchItemFailures: [] });
    expect(ec2.commandCalls(CreateFleetCommand)).toHaveLength(0);
    expect(output.lines().join('\n')).toContain('demand message unreadable, acknowledged');
  });

  it('lists a message whose launch failed in batchItemFailures, so SQS delivers it again', async () => {
    ec2.on(CreateFleetCommand).rejects(new Error('boom'));

    const result = await handler(sqsEvent({ messageId: 'm2', body: body(1978) }), lambdaContext);

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }] });
  });

  it('re-sends a job EC2 throttled with a delay and acknowledges its message, spending no receive', async () => {
    const throttled = Object.assign(new Error('Request limit exceeded.'), { name: 'RequestLimitExceeded' });
    ec2.on(CreateFleetCommand).rejects(throttled);

    const result = await handler(sqsEvent({ messageId: 'm7', body: body(1983) }), lambdaContext);

    expect(result).toEqual({ batchItemFailures: [] });
    const sent = sqs.commandCalls(SendMessageCommand)[0]?.args[0].input;
    expect(sent?.QueueUrl).toBe('https://sqs.eu-west-1.amazonaws.com/123456789012/spotlab-demand');
    expect(sent?.DelaySeconds).toBeGreaterThan(0);
    expect(JSON.parse(sent?.MessageBody ?? '{}')).toMatchObject({
      jobId: 1983,
      deferrals: 1,
      checked: { tagList: ['arm64'] },
    });
    expect(emittedMetrics(output.lines())).toContain('DemandDeferred reason=throttled');
  });

  it('acknowledges a job already claimed elsewhere without calling GitLab', async () => {
    dynamo
      .on(PutItemCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'claimed', $metadata: {} }));
    const fetchSpy = vi.fn();
    vi.stubGlobal('fetch', fetchSpy);

    const result = await handler(sqsEvent({ messageId: 'm3', body: body(1979) }), lambdaContext);

    expect(result).toEqual({ batchItemFailures: [] });
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('never logs the GitLab API token or a runner token', async () => {
    await handler(sqsEvent({ messageId: 'm4', body: body(1980) }), lambdaContext);
    ec2.on(CreateFleetCommand).rejects(new Error('boom'));
    await handler(sqsEvent({ messageId: 'm5', body: body(1981) }), lambdaContext);

    const logs = output.lines().join('\n');
    expect(logs).not.toContain(API_TOKEN);
    expect(logs).not.toContain('glrt-');
  });
});
