import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { demandMessageSchema, lifecycleMessageSchema } from '../../lambdas/shared/job-messages';
import { fixtureJson, fixtureText, type GitlabFixture } from '../support/fixtures';
import {
  lambdaContext,
  restWebhookEvent,
  TEST_WEBHOOK_SECRET,
  type WebhookEventOptions,
  webhookEvent,
} from '../support/http-api-event';
import { captureOutput, emittedMetrics } from '../support/output';

const DEMAND_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/demand';
const LIFECYCLE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/lifecycle';

vi.hoisted(() => {
  process.env.DEMAND_QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/demand';
  process.env.LIFECYCLE_QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/lifecycle';
  process.env.WEBHOOK_SECRET_PARAMETER = '/spotlab/webhook-secret';
  process.env.GITLAB_URL = 'https://gitlab.example.com';
  process.env.SECRET_CACHE_SECONDS = '0';
  process.env.POWERTOOLS_METRICS_NAMESPACE = 'Spotlab';
  process.env.AWS_REGION = 'eu-west-1';
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
});

const { handler } = await import('../../lambdas/webhook/handler');

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
  output = captureOutput();
});
afterEach(() => output.restore());

let nextJobId = 5_000_000_000;
/** A fixture with a job id no earlier test used, so the warm-environment dedupe stays out of the way. */
function freshBody(name: GitlabFixture, changes: Record<string, unknown> = {}): string {
  nextJobId += 1;
  return JSON.stringify({ ...fixtureJson(name), build_id: nextJobId, ...changes });
}

const send = (body: string, options?: WebhookEventOptions) =>
  handler(webhookEvent(body, options), lambdaContext);
const sentMessages = () => sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input);

describe('webhook handler: accepted events', () => {
  it('enqueues a pending job as demand on the demand queue and answers 202', async () => {
    const response = await send(fixtureText('job-hook-pending'));

    expect(response.statusCode).toBe(202);
    const [message] = sentMessages();
    expect(message?.QueueUrl).toBe(DEMAND_URL);
    const demand = demandMessageSchema.parse(JSON.parse(message?.MessageBody ?? ''));
    expect(demand).toMatchObject({
      kind: 'demand',
      jobId: 1977,
      projectId: 380,
      pipelineId: 2366,
      status: 'pending',
    });
    expect(demand.idempotencyKey).toBe('1977:pending');
    expect(message?.MessageAttributes?.kind?.StringValue).toBe('demand');
    expect(emittedMetrics(output.lines())).toContain('WebhookAccepted kind=demand');
  });

  it.each<[GitlabFixture, string, number | null]>([
    ['job-hook-running', 'running', 380987],
    ['job-hook-success', 'success', 380987],
    ['job-hook-failed-runner-system', 'failed', 380987],
    ['job-hook-canceled-while-pending', 'canceled', null],
  ])('enqueues %s as a lifecycle message with status %s and runner %s', async (fixture, status, runnerId) => {
    const response = await send(freshBody(fixture));

    expect(response.statusCode).toBe(202);
    const [message] = sentMessages();
    expect(message?.QueueUrl).toBe(LIFECYCLE_URL);
    const lifecycle = lifecycleMessageSchema.parse(JSON.parse(message?.MessageBody ?? ''));
    expect(lifecycle).toMatchObject({ kind: 'lifecycle', status, runnerId });
  });

  it('carries the failure reason and runner description of a failed job', async () => {
    await send(freshBody('job-hook-failed-runner-system'));

    const lifecycle = lifecycleMessageSchema.parse(JSON.parse(sentMessages()[0]?.MessageBody ?? ''));
    expect(lifecycle.failureReason).toBe('runner_system_failure');
    expect(lifecycle.runnerDescription).toBe('spotlab job 1977');
  });

  it.each(['https://gitlab.example.com', 'https://GitLab.Example.com/', 'gitlab.example.com'])(
    'accepts a hook whose X-Gitlab-Instance names the served GitLab (%s)',
    async (instance) => {
      const response = await send(freshBody('job-hook-pending'), {
        headers: { 'x-gitlab-instance': instance },
      });

      expect(response.statusCode).toBe(202);
      expect(sentMessages()).toHaveLength(1);
    },
  );

  it('dedupes on the Idempotency-Key header bound to the job id and status it came with', async () => {
    const key = '4f5e1a9c-2b7d-4a61-9d0e-7c1f2e3a4b5c';
    await send(freshBody('job-hook-pending', { build_id: 7001 }), { headers: { 'Idempotency-Key': key } });

    expect(sentMessages()[0]?.MessageAttributes?.idempotencyKey?.StringValue).toBe(`${key}:7001:pending`);
  });

  it('still enqueues a delivery that repeats a seen key for another job or another status', async () => {
    const headers = { 'idempotency-key': 'b1c2d3e4-0000-4000-8000-000000000002' };

    await send(freshBody('job-hook-pending', { build_id: 7002 }), { headers });
    await send(freshBody('job-hook-pending', { build_id: 7003 }), { headers });
    await send(freshBody('job-hook-running', { build_id: 7002 }), { headers });

    expect(sentMessages().map((m) => JSON.parse(m.MessageBody ?? '{}').jobId)).toEqual([7002, 7003, 7002]);
    expect(emittedMetrics(output.lines())).not.toContain('WebhookIgnored reason=duplicate');
  });

  it('does not trust an Idempotency-Key longer than GitLab’s UUIDs as a dedupe key', async () => {
    await send(freshBody('job-hook-pending', { build_id: 7004 }), {
      headers: { 'idempotency-key': 'k'.repeat(65) },
    });

    expect(sentMessages()[0]?.MessageAttributes?.idempotencyKey?.StringValue).toBe('7004:pending');
  });

  it('enqueues a redelivered event once when the same environment sees it twice', async () => {
    const body = freshBody('job-hook-pending');
    const headers = { 'idempotency-key': 'b1c2d3e4-0000-4000-8000-000000000001' };

    const first = await send(body, { headers });
    const second = await send(body, { headers });

    expect([first.statusCode, second.statusCode]).toEqual([202, 202]);
    expect(sentMessages()).toHaveLength(1);
    expect(emittedMetrics(output.lines())).toContain('WebhookIgnored reason=duplicate');
  });

  it('keeps job ids above 2^31 exact, as GitLab.com sends them', async () => {
    await send(freshBody('job-hook-pending', { build_id: 9_876_543_210 }));

    expect(demandMessageSchema.parse(JSON.parse(sentMessages()[0]?.MessageBody ?? '')).jobId).toBe(
      9_876_543_210,
    );
  });

  it('reads a base64-encoded body', async () => {
    const response = await send(freshBody('job-hook-pending'), { base64: true });

    expect(response.statusCode).toBe(202);
    expect(sentMessages()).toHaveLength(1);
  });

  it('accepts header names in any case', async () => {
    const response = await send(freshBody('job-hook-pending'), {
      headers: {
        'x-gitlab-token': undefined,
        'x-gitlab-event': undefined,
        'X-Gitlab-Token': TEST_WEBHOOK_SECRET,
        'X-GITLAB-EVENT': 'Job Hook',
      },
    });

    expect(response.statusCode).toBe(202);
    expect(sentMessages()).toHaveLength(1);
  });

  it('tolerates fields GitLab adds in later versions', async () => {
    const response = await send(
      freshBody('job-hook-pending', { build_new_field: { nested: true }, source_pipeline: null }),
    );

    expect(response.statusCode).toBe(202);
  });
});

describe('webhook handler: acknowledged and dropped', () => {
  it.each([
    ['a created job (it may be manual and never run)', () => freshBody('job-hook-created')],
    [
      'a status Spotlab does not track',
      () => freshBody('job-hook-pending', { build_status: 'waiting_for_resource' }),
    ],
    ['another event kind', () => JSON.stringify({ object_kind: 'pipeline', object_attributes: { id: 1 } })],
  ])('answers 202 and enqueues nothing for %s', async (_label, body) => {
    const response = await send(body());

    expect(response.statusCode).toBe(202);
    expect(JSON.parse(response.body ?? '')).toEqual({ status: 'ignored' });
    expect(sentMessages()).toHaveLength(0);
  });

  it('answers 202 and enqueues nothing for another event header, whatever its body', async () => {
    const response = await send('{"object_kind":"push"}', { headers: { 'x-gitlab-event': 'Push Hook' } });

    expect(response.statusCode).toBe(202);
    expect(sentMessages()).toHaveLength(0);
  });
});

describe('webhook handler: refused requests enqueue nothing', () => {
  it.each<[string, () => ReturnType<typeof webhookEvent>, number, string]>([
    [
      'a missing token',
      () => webhookEvent(freshBody('job-hook-pending'), { headers: { 'x-gitlab-token': undefined } }),
      401,
      'missing_token',
    ],
    [
      'a wrong token',
      () => webhookEvent(freshBody('job-hook-pending'), { headers: { 'x-gitlab-token': 'guess' } }),
      401,
      'bad_token',
    ],
    [
      'an empty token',
      () => webhookEvent(freshBody('job-hook-pending'), { headers: { 'x-gitlab-token': '' } }),
      401,
      'missing_token',
    ],
    [
      'a hook from another GitLab (X-Gitlab-Instance), with the right token',
      () =>
        webhookEvent(freshBody('job-hook-pending'), {
          headers: { 'x-gitlab-instance': 'https://gitlab.attacker.example' },
        }),
      403,
      'other_gitlab',
    ],
    ['a body that is not JSON', () => webhookEvent('object_kind=build'), 400, 'not_json'],
    ['a truncated body', () => webhookEvent(fixtureText('job-hook-pending').slice(0, 200)), 400, 'not_json'],
    ['a JSON array', () => webhookEvent('[1,2]'), 400, 'not_job_hook'],
    [
      'a Job Hook without build_id',
      () => webhookEvent(JSON.stringify({ ...fixtureJson('job-hook-pending'), build_id: undefined })),
      400,
      'not_job_hook',
    ],
    [
      'a Job Hook with a negative project id',
      () => webhookEvent(freshBody('job-hook-pending', { project_id: -1 })),
      400,
      'not_job_hook',
    ],
    ['a body over 1 MB', () => webhookEvent(`{"pad":"${'x'.repeat(1024 * 1024)}"}`), 413, 'too_large'],
    [
      'a base64 body over 1 MB',
      () => webhookEvent(`{"pad":"${'x'.repeat(1024 * 1024)}"}`, { base64: true }),
      413,
      'too_large',
    ],
    ['a GET', () => webhookEvent('', { method: 'GET' }), 405, 'method_not_allowed'],
    [
      'a PUT',
      () => webhookEvent(freshBody('job-hook-pending'), { method: 'PUT' }),
      405,
      'method_not_allowed',
    ],
  ])('refuses %s with %i', async (_label, event, status, reason) => {
    const response = await handler(event(), lambdaContext);

    expect(response.statusCode).toBe(status);
    expect(sentMessages()).toHaveLength(0);
    // By reason, and the total the refusal alarm watches.
    expect(emittedMetrics(output.lines())).toEqual(
      expect.arrayContaining([`WebhookRefused reason=${reason}`, 'WebhookRefused']),
    );
  });

  it('answers a missing and a wrong token with the same reply', async () => {
    const missing = await send(freshBody('job-hook-pending'), { headers: { 'x-gitlab-token': undefined } });
    const wrong = await send(freshBody('job-hook-pending'), {
      headers: { 'x-gitlab-token': 'x'.repeat(30) },
    });

    expect(missing).toEqual(wrong);
    expect(JSON.parse(missing.body ?? '')).toEqual({ message: 'unauthorized' });
  });

  it('checks the token before reading the body, so an unauthenticated caller learns nothing about parsing', async () => {
    const response = await send('not json at all', { headers: { 'x-gitlab-token': 'guess' } });

    expect(response.statusCode).toBe(401);
  });

  it('tells a 405 caller which method is allowed', async () => {
    const response = await send('', { method: 'GET' });

    expect(response.headers?.allow).toBe('POST');
  });
});

describe('webhook handler: behind the REST API of the WAF option (payload v1)', () => {
  const sendRest = (body: string | null, options?: WebhookEventOptions) =>
    handler(restWebhookEvent(body, options), lambdaContext);

  it('enqueues a pending job whose headers keep GitLab’s case, and answers 202', async () => {
    const body = freshBody('job-hook-pending');
    const response = await sendRest(body);

    expect(response.statusCode).toBe(202);
    const demand = demandMessageSchema.parse(JSON.parse(sentMessages()[0]?.MessageBody ?? ''));
    expect(demand.jobId).toBe(nextJobId);
  });

  it('reads a base64-encoded body', async () => {
    const response = await sendRest(freshBody('job-hook-pending'), { base64: true });

    expect(response.statusCode).toBe(202);
    expect(sentMessages()).toHaveLength(1);
  });

  it('answers a wrong token 401 and enqueues nothing', async () => {
    const response = await sendRest(freshBody('job-hook-pending'), {
      headers: { 'x-gitlab-token': 'wrong-secret-0123456789' },
    });

    expect(response.statusCode).toBe(401);
    expect(sentMessages()).toHaveLength(0);
  });

  it('answers a request with no headers at all 401 and enqueues nothing', async () => {
    const response = await handler(
      { ...restWebhookEvent(freshBody('job-hook-pending')), headers: null },
      lambdaContext,
    );

    expect(response.statusCode).toBe(401);
    expect(sentMessages()).toHaveLength(0);
  });

  it('answers a POST without a body 400 and enqueues nothing', async () => {
    const response = await sendRest(null);

    expect(response.statusCode).toBe(400);
    expect(sentMessages()).toHaveLength(0);
  });

  it('answers another method 405, naming POST', async () => {
    const response = await sendRest(null, { method: 'GET' });

    expect(response.statusCode).toBe(405);
    expect(response.headers?.allow).toBe('POST');
    expect(sentMessages()).toHaveLength(0);
  });
});

describe('webhook handler: failures on Spotlab side', () => {
  it('answers 503 without enqueueing when the secret cannot be read', async () => {
    ssm.reset();
    ssm.on(GetParameterCommand).rejects(new Error('ThrottlingException'));

    const response = await send(freshBody('job-hook-pending'));

    expect(response.statusCode).toBe(503);
    expect(sentMessages()).toHaveLength(0);
    expect(emittedMetrics(output.lines())).toContain('WebhookFailed reason=ParameterUnavailableError');
  });

  it('answers 503 when SQS refuses the message, so GitLab records the failed delivery', async () => {
    sqs.on(SendMessageCommand).rejects(new Error('ServiceUnavailable'));

    const response = await send(freshBody('job-hook-pending'));

    expect(response.statusCode).toBe(503);
    expect(JSON.parse(response.body ?? '')).toEqual({ message: 'temporarily unavailable' });
    expect(emittedMetrics(output.lines())).toContain('WebhookFailed reason=QueueUnavailableError');
  });

  it('enqueues a failed delivery when GitLab sends it again', async () => {
    const body = freshBody('job-hook-pending');
    const headers = { 'idempotency-key': 'b1c2d3e4-0000-4000-8000-000000000002' };
    sqs.on(SendMessageCommand).rejectsOnce(new Error('ServiceUnavailable')).resolves({ MessageId: 'm-2' });

    const first = await send(body, { headers });
    const second = await send(body, { headers });

    expect([first.statusCode, second.statusCode]).toEqual([503, 202]);
  });
});

describe('webhook handler: logs', () => {
  it('never writes the token, the headers or the body to the logs', async () => {
    await send(freshBody('job-hook-pending'));
    await send(freshBody('job-hook-pending'), { headers: { 'x-gitlab-token': 'wrong-token-value' } });
    ssm.on(GetParameterCommand).rejects(new Error('boom'));
    await send(freshBody('job-hook-pending'));

    const logs = output.lines().join('\n');
    expect(logs).toContain('webhook request refused');
    expect(logs).not.toContain(TEST_WEBHOOK_SECRET);
    expect(logs).not.toContain('wrong-token-value');
    expect(logs.toLowerCase()).not.toContain('x-gitlab-token');
    expect(logs).not.toContain('user@gitlab.com');
  });
});
