import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateFleetCommand, DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
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
    RUNNER_INSTANCE_ARN_PREFIX: 'arn:aws:ec2:eu-west-1:123456789012:instance/',
    JOB_TABLE_NAME: 'jobs',
    GITLAB_URL: 'https://gitlab.example.com',
    GITLAB_TOKEN_PARAMETER: '/spotlab/gitlab-api-token',
    RUNNER_SCOPE: '{"type":"project"}',
    SUBNET_IDS: '["subnet-0a"]',
    MAX_INSTANCES: '10',
    MAX_SPEND_PER_HOUR_USD: '5',
    PRICES: '{"usdPerHour":{},"defaultUsdPerHour":1}',
    SHAPE_TAGS: '{"cpuPrefix":"cpu:","memoryGiBPrefix":"mem:"}',
  });
});
process.env.POOLS = JSON.stringify(POOLS);
const { handler } = await import('../../lambdas/scale-up/handler');

const ec2 = mockClient(EC2Client);
const ssm = mockClient(SSMClient);
const dynamo = mockClient(DynamoDBClient);
const API_TOKEN = 'glpat-secret-api-token';
let output: ReturnType<typeof captureOutput>;

beforeEach(() => {
  ec2.reset();
  ssm.reset();
  dynamo.reset();
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

const sqsEvent = (...bodies: { messageId: string; body: string }[]): SQSEvent => ({
  Records: bodies.map(({ messageId, body }) => sqsRecord(messageId, body)),
});

describe('scale-up handler', () => {
  it('launches for a pending job and acknowledges the whole batch', async () => {
    const result = await handler(
      sqsEvent({ messageId: 'm1', body: JSON.stringify(demand(1977).demand) }),
      lambdaContext,
    );

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

    await handler(sqsEvent({ messageId: 'm6', body: JSON.stringify(demand(1982).demand) }), lambdaContext);

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
    ec2.on(CreateFleetCommand).rejects(new Error('RequestLimitExceeded'));

    const result = await handler(
      sqsEvent({ messageId: 'm2', body: JSON.stringify(demand(1978).demand) }),
      lambdaContext,
    );

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }] });
  });

  it('acknowledges a job already claimed elsewhere without calling GitLab', async () => {
    dynamo
      .on(PutItemCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'claimed', $metadata: {} }));
    const fetchSpy = vi.fn();
    vi.stubGlobal('fetch', fetchSpy);

    const result = await handler(
      sqsEvent({ messageId: 'm3', body: JSON.stringify(demand(1979).demand) }),
      lambdaContext,
    );

    expect(result).toEqual({ batchItemFailures: [] });
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('never logs the GitLab API token or a runner token', async () => {
    await handler(sqsEvent({ messageId: 'm4', body: JSON.stringify(demand(1980).demand) }), lambdaContext);
    ec2.on(CreateFleetCommand).rejects(new Error('boom'));
    await handler(sqsEvent({ messageId: 'm5', body: JSON.stringify(demand(1981).demand) }), lambdaContext);

    const logs = output.lines().join('\n');
    expect(logs).not.toContain(API_TOKEN);
    expect(logs).not.toContain('glrt-');
  });
});
