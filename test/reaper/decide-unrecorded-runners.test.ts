import { describe, expect, it } from 'vitest';
import {
  judgeUnrecorded,
  type UnrecordedRunner,
  type UnrecordedVerdict,
  unrecordedRunners,
} from '../../lambdas/reaper/decide-unrecorded-runners';
import type { ListedRunner } from '../../lambdas/shared/gitlab/port';
import type { JobItem } from '../../lambdas/shared/job-table/views';
import { MINUTE } from './reaper-world';

const NOW = Date.parse('2026-11-23T09:00:00Z');
const HERE = 'i-0aaaaaaaaaaaaaaa1';
const ELSEWHERE = 'i-0bbbbbbbbbbbbbbb2';

function listed(id: number, description: string): ListedRunner {
  return { id, description, online: false, status: 'offline', paused: false, createdAtMs: NOW - 10 * MINUTE };
}

function item(fields: Partial<JobItem>): JobItem {
  return {
    jobId: 1,
    state: 'finished',
    projectId: 380,
    instanceId: undefined,
    runnerId: undefined,
    cleanedUp: false,
    touchedAtMs: NOW - 10 * MINUTE,
    ...fields,
  };
}

describe('unrecordedRunners', () => {
  it("keeps only Spotlab's runners, named `spotlab i-<hex>`", () => {
    const runners = [
      listed(1, `spotlab ${HERE}`),
      listed(2, 'shared-docker-runner'),
      listed(3, ''),
      listed(4, `spotlab ${HERE} (copy)`),
      listed(5, 'spotlab i-NOTHEX'),
    ];

    expect(unrecordedRunners(runners, []).map((r) => r.runnerId)).toEqual([1]);
  });

  it.each<[string, string, Partial<JobItem>]>([
    ['left to the job table (a job running there)', 'named', { state: 'running', instanceId: HERE }],
    [
      'left to the job table (a job launched there)',
      'named',
      { state: 'launched', instanceId: HERE, launchInstanceId: HERE },
    ],
    [
      'left to the job table (a launch record whose job ran elsewhere)',
      'named',
      { instanceId: ELSEWHERE, cleanedUp: true, launchInstanceId: HERE, launchRunnerId: 1 },
    ],
    ['unrecorded (its item is cleaned up)', 'unrecorded', { instanceId: HERE, cleanedUp: true }],
    [
      'unrecorded (its item, launched and run there, is cleaned up)',
      'unrecorded',
      { instanceId: HERE, launchInstanceId: HERE, cleanedUp: true },
    ],
    [
      'unrecorded (its launch record is cleaned up)',
      'unrecorded',
      { instanceId: ELSEWHERE, cleanedUp: true, launchInstanceId: HERE, launchCleanedUp: true },
    ],
    [
      'unrecorded (items name other instances only)',
      'unrecorded',
      { instanceId: ELSEWHERE, launchInstanceId: ELSEWHERE },
    ],
  ])('calls a runner %s', (_case, expected, fields) => {
    const found = unrecordedRunners([listed(1, `spotlab ${HERE}`)], [item(fields)]);

    expect(found.length === 1 ? 'unrecorded' : 'named').toBe(expected);
  });

  it('carries what GitLab said of the runner', () => {
    const runner = { ...listed(7, `spotlab ${HERE}`), online: true, createdAtMs: undefined };

    expect(unrecordedRunners([runner], [])).toEqual([
      { runnerId: 7, instanceId: HERE, online: true, createdAtMs: undefined },
    ]);
  });
});

describe('judgeUnrecorded', () => {
  const runner = (ageMs: number | undefined, online = false): UnrecordedRunner => ({
    runnerId: 1,
    instanceId: HERE,
    online,
    createdAtMs: ageMs === undefined ? undefined : NOW - ageMs,
  });

  it.each<[string, UnrecordedVerdict, UnrecordedRunner, string | undefined]>([
    ['terminated, runner 3 min old', 'delete', runner(3 * MINUTE), 'terminated'],
    ['shutting down, runner 3 min old', 'delete', runner(3 * MINUTE), 'shutting-down'],
    ['terminated, runner online', 'delete', runner(3 * MINUTE, true), 'terminated'],
    [
      'terminated, runner 1 min old (its launch may be being recorded)',
      'recent',
      runner(MINUTE),
      'terminated',
    ],
    ['terminated, GitLab gives no created_at', 'delete', runner(undefined), 'terminated'],
    ['pending', 'live', runner(3 * MINUTE), 'pending'],
    ['running, runner a day old', 'live', runner(24 * 60 * MINUTE), 'running'],
    ['stopping', 'live', runner(3 * MINUTE), 'stopping'],
    ['stopped', 'live', runner(3 * MINUTE), 'stopped'],
    ['in a state this code does not know', 'live', runner(3 * MINUTE), 'hibernating'],
    ['unknown to EC2, runner 61 min old and offline', 'delete', runner(61 * MINUTE), undefined],
    [
      'unknown to EC2, runner 59 min old (not listed yet, or elsewhere)',
      'recent',
      runner(59 * MINUTE),
      undefined,
    ],
    [
      'unknown to EC2, runner online (it runs in another Region or account)',
      'unproven',
      runner(61 * MINUTE, true),
      undefined,
    ],
    ['unknown to EC2, GitLab gives no created_at', 'unproven', runner(undefined), undefined],
  ])('an instance %s: %s', (_case, verdict, unrecorded, state) => {
    expect(judgeUnrecorded(unrecorded, state, NOW)).toBe(verdict);
  });
});
