import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { readLifecycleEnv } from '../../lambdas/lifecycle/env';
import { type ParsedBody, parseLifecycleBody } from '../../lambdas/lifecycle/events';
import { readLifecycleRecords } from '../../lambdas/lifecycle/read-records';
import { launchJobOfRunner } from '../../lambdas/shared/gitlab/port';
import { sqsRecord } from '../../sim/sqs-event-source';
import { LIFECYCLE_ENV } from './lifecycle-env';
import {
  awsEvent,
  awsFixtureText,
  jobEvent,
  lifecycleWorld,
  spotWarning,
  stateChange,
} from './lifecycle-world';

const INSTANCE = 'i-0123456789abcdef0';
const placement = { runnerId: 380987, instanceId: INSTANCE };

describe('lifecycle queue bodies: EventBridge events', () => {
  it('reads a spot interruption warning by detail["instance-id"]', () => {
    expect(parseLifecycleBody(awsFixtureText('eventbridge-spot-interruption-warning'))).toEqual({
      kind: 'event',
      event: { kind: 'spot-warning', instanceId: INSTANCE },
    });
  });

  it.each([
    ['eventbridge-instance-state-change-shutting-down', 'shutting-down'],
    ['eventbridge-instance-state-change-terminated', 'terminated'],
  ] as const)('reads the state change %s as the instance going away', (fixture, state) => {
    expect(parseLifecycleBody(awsFixtureText(fixture))).toEqual({
      kind: 'event',
      event: { kind: 'instance-gone', instanceId: INSTANCE, state },
    });
  });

  it.each(['pending', 'running', 'stopping', 'stopped'])(
    'acknowledges a state change to %s as needing nothing',
    (state) => {
      expect(parseLifecycleBody(stateChange(INSTANCE, state))).toEqual({
        kind: 'ignored',
        reason: 'untracked_state',
      });
    },
  );

  it('reads the older 8-digit instance ids too', () => {
    expect(parseLifecycleBody(spotWarning('i-0123abcd'))).toMatchObject({
      event: { instanceId: 'i-0123abcd' },
    });
  });
});

describe('lifecycle queue bodies: webhook lifecycle messages', () => {
  it.each([
    ['job-hook-running', 'running'],
    ['job-hook-success', 'success'],
    ['job-hook-failed-runner-system', 'failed'],
  ] as const)('reads what the webhook enqueues for %s', (fixture, status) => {
    const parsed = parseLifecycleBody(jobEvent(fixture, 1977, placement));

    expect(parsed).toMatchObject({
      kind: 'event',
      event: {
        kind: 'job',
        message: {
          jobId: 1977,
          projectId: 380,
          status,
          runnerId: 380987,
          runnerDescription: 'spotlab job 1977',
        },
      },
    });
  });

  it('reads a job cancelled while pending, which has no runner', () => {
    expect(parseLifecycleBody(jobEvent('job-hook-canceled-while-pending', 1977, null))).toMatchObject({
      event: { kind: 'job', message: { status: 'canceled', runnerId: null, runnerDescription: null } },
    });
  });
});

describe('lifecycle queue bodies: unreadable', () => {
  const lifecycle = z
    .record(z.string(), z.unknown())
    .parse(JSON.parse(jobEvent('job-hook-success', 1977, placement)));
  it.each<[string, string, string]>([
    ['not JSON', '{"kind":', 'not JSON'],
    ['a JSON array', '[1,2]', 'not an object'],
    ['a JSON string', '"lifecycle"', 'not an object'],
    ['neither kind', '{"hello":"world"}', 'neither a lifecycle message nor an EC2 event'],
    ['a demand message', JSON.stringify({ kind: 'demand' }), 'neither a lifecycle message nor an EC2 event'],
    ['a lifecycle message of another version', JSON.stringify({ ...lifecycle, v: 2 }), 'v'],
    ['a lifecycle message without its job id', JSON.stringify({ ...lifecycle, jobId: undefined }), 'jobId'],
    ['a warning about a malformed instance id', spotWarning('i-XYZ'), 'detail.instance-id'],
    [
      'a state change without a state',
      awsEvent('eventbridge-instance-state-change-terminated', INSTANCE, undefined).replace(
        '"state":"terminated"',
        '"status":"x"',
      ),
      'detail.state',
    ],
  ])('refuses %s, naming the problem', (_name, body, problem) => {
    const parsed: ParsedBody = parseLifecycleBody(body);

    expect(parsed).toEqual({ kind: 'invalid', problem });
  });
});

describe('runner descriptions', () => {
  it.each<[string | null, number | undefined]>([
    ['spotlab job 1977', 1977],
    ['spotlab job 9999999999999999', undefined],
    [null, undefined],
    ['', undefined],
    ['shared-runner-7', undefined],
    ['spotlab', undefined],
    ['spotlab job 1977 extra', undefined],
    ['Spotlab job 1977', undefined],
    ['spotlab job 0', undefined],
    ['spotlab job 01977', undefined],
    ['spotlab i-0123456789abcdef0', undefined],
  ])('reads %j as the runner created for job %s', (description, jobId) => {
    expect(launchJobOfRunner(description)).toBe(jobId);
  });
});

describe('reading a batch', () => {
  it('acknowledges unreadable messages with a report, and keeps the readable ones', () => {
    const w = lifecycleWorld();
    const records = [sqsRecord('bad', 'nope'), sqsRecord('good', spotWarning(INSTANCE))];

    const items = readLifecycleRecords(records, w.observer);

    expect(items.map((item) => item.messageId)).toEqual(['good']);
    expect(w.observer.events).toEqual(['invalid bad not JSON']);
  });

  it.each<[string, string, string]>([
    [
      'the same job status delivered twice',
      jobEvent('job-hook-success', 7, placement),
      jobEvent('job-hook-success', 7, placement),
    ],
    [
      'shutting-down and terminated of one instance',
      stateChange(INSTANCE, 'shutting-down'),
      stateChange(INSTANCE, 'terminated'),
    ],
    ['the same spot warning twice', spotWarning(INSTANCE), spotWarning(INSTANCE)],
  ])('handles %s once', (_name, first, second) => {
    const w = lifecycleWorld();

    const items = readLifecycleRecords([sqsRecord('a', first), sqsRecord('b', second)], w.observer);

    expect(items.map((item) => item.messageId)).toEqual(['a']);
    expect(w.observer.events).toEqual(['ignored duplicate_in_batch b']);
  });

  it('keeps two statuses of one job apart', () => {
    const w = lifecycleWorld();
    const records = [
      sqsRecord('a', jobEvent('job-hook-running', 7, placement)),
      sqsRecord('b', jobEvent('job-hook-success', 7, placement)),
    ];

    expect(readLifecycleRecords(records, w.observer)).toHaveLength(2);
  });
});

describe('lifecycle environment', () => {
  const valid = LIFECYCLE_ENV;

  it('reads the settings', () => {
    expect(readLifecycleEnv(valid)).toEqual({
      stackName: 'Spotlab',
      metricsNamespace: 'Spotlab',
      tableName: 'jobs',
      interruptionTableName: 'interruptions',
      demandQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/demand',
      gitlabUrl: 'https://gitlab.example.com',
      gitlabTokenParameter: '/spotlab/gitlab-api-token',
    });
  });

  it('names every bad variable', () => {
    expect(() =>
      readLifecycleEnv({
        ...valid,
        JOB_TABLE_NAME: '',
        GITLAB_URL: 'not a url',
        STACK_NAME: undefined,
      }),
    ).toThrow('lifecycle environment is invalid: STACK_NAME, JOB_TABLE_NAME, GITLAB_URL');
  });
});
