import { createHmac, randomBytes } from 'node:crypto';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fixtureText } from '../support/fixtures';
import { lambdaContext, TEST_WEBHOOK_SECRET, webhookEvent } from '../support/http-api-event';
import { captureOutput, emittedMetrics } from '../support/output';

vi.hoisted(() => {
  process.env.DEMAND_QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/demand';
  process.env.LIFECYCLE_QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/lifecycle';
  process.env.WEBHOOK_SECRET_PARAMETER = '/spotlab/webhook-secret';
  process.env.GITLAB_URL = 'https://gitlab.example.com';
  process.env.SIGNING_TOKEN_PARAMETER = '/spotlab/webhook-signing-token';
  process.env.POWERTOOLS_METRICS_NAMESPACE = 'Spotlab';
  process.env.AWS_REGION = 'eu-west-1';
});

const { handler } = await import('../../lambdas/webhook/handler');

const KEY = randomBytes(32);
const sqs = mockClient(SQSClient);
const ssm = mockClient(SSMClient);
let output: ReturnType<typeof captureOutput>;

beforeEach(() => {
  sqs.reset();
  ssm.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
  ssm
    .on(GetParameterCommand, { Name: '/spotlab/webhook-secret' })
    .resolves({ Parameter: { Value: TEST_WEBHOOK_SECRET } });
  ssm
    .on(GetParameterCommand, { Name: '/spotlab/webhook-signing-token' })
    .resolves({ Parameter: { Value: `whsec_${KEY.toString('base64')}` } });
  output = captureOutput();
});
afterEach(() => output.restore());

function signedHeaders(body: string, id: string): Record<string, string> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const digest = createHmac('sha256', KEY).update(`${id}.${timestamp}.${body}`).digest('base64');
  return {
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1,${digest}`,
    'idempotency-key': id,
  };
}

describe('webhook handler with a signing token configured', () => {
  it('accepts a signed pending job and enqueues it once', async () => {
    const body = fixtureText('job-hook-pending');

    const response = await handler(
      webhookEvent(body, { headers: signedHeaders(body, 'a1b2c3d4-0000-4000-8000-000000000001') }),
      lambdaContext,
    );

    expect(response.statusCode).toBe(202);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(1);
  });

  it('refuses an unsigned request that carries the right token, and enqueues nothing', async () => {
    const response = await handler(webhookEvent(fixtureText('job-hook-pending')), lambdaContext);

    expect(response.statusCode).toBe(401);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
    expect(emittedMetrics(output.lines())).toContain('WebhookRefused reason=missing_signature');
  });

  it('refuses a signed body that was changed on the way, and enqueues nothing', async () => {
    const body = fixtureText('job-hook-pending');
    const headers = signedHeaders(body, 'a1b2c3d4-0000-4000-8000-000000000002');

    const response = await handler(
      webhookEvent(body.replace('"build_id": 1977', '"build_id": 1978'), { headers }),
      lambdaContext,
    );

    expect(response.statusCode).toBe(401);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('never logs the signing token', async () => {
    const body = fixtureText('job-hook-pending');
    await handler(
      webhookEvent(body, {
        headers: { 'webhook-id': 'x', 'webhook-timestamp': '1', 'webhook-signature': 'v1,AAAA' },
      }),
      lambdaContext,
    );

    expect(output.lines().join('\n')).not.toContain(KEY.toString('base64'));
  });
});
