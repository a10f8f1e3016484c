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
/** Runner 1, created for job 41 (`spotlab job 41`). */
const OURS = 'spotlab job 41';

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
  it("keeps only Spotlab's runners, named `spotlab job <id>`", () => {
    const runners = [
      listed(1, OURS),
      listed(2, 'shared-docker-runner'),
      listed(3, ''),
      listed(4, `${OURS} (copy)`),
      listed(5, `spotlab ${HERE}`),
    ];

    expect(unrecordedRunners(runners, []).map((r) => r.runnerId)).toEqual([1]);
  });

  it.each<[string, string, Partial<JobItem>]>([
    [
      'left to the job table (a job running on it)',
      'named',
      { state: 'running', instanceId: HERE, runnerId: 1 },
    ],
    [
      'left to the job table (a job launched with it)',
      'named',
      { state: 'launched', instanceId: HERE, runnerId: 1, launchInstanceId: HERE, launchRunnerId: 1 },
    ],
    [
      'left to the job table (a launch record whose job ran elsewhere)',
      'named',
      { instanceId: ELSEWHERE, runnerId: 2, cleanedUp: true, launchInstanceId: HERE, launchRunnerId: 1 },
    ],
    ['unrecorded (its item is cleaned up)', 'unrecorded', { instanceId: HERE, runnerId: 1, cleanedUp: true }],
    [
      'unrecorded (its item, launched and run there, is cleaned up)',
      'unrecorded',
      { instanceId: HERE, runnerId: 1, launchInstanceId: HERE, launchRunnerId: 1, cleanedUp: true },
    ],
    [
      'unrecorded (its launch record is cleaned up)',
      'unrecorded',
      {
        instanceId: ELSEWHERE,
        runnerId: 2,
        cleanedUp: true,
        launchInstanceId: HERE,
        launchRunnerId: 1,
        launchCleanedUp: true,
      },
    ],
    [
      'unrecorded (items name other runners only, the same instance included)',
      'unrecorded',
      { instanceId: HERE, runnerId: 2, launchInstanceId: HERE, launchRunnerId: 2 },
    ],
  ])('calls a runner %s', (_case, expected, fields) => {
    const found = unrecordedRunners([listed(1, OURS)], [item(fields)]);

    expect(found.length === 1 ? 'unrecorded' : 'named').toBe(expected);
  });

  it('carries what GitLab said of the runner', () => {
    const runner = { ...listed(7, OURS), online: true, createdAtMs: undefined };

    expect(unrecordedRunners([runner], [])).toEqual([
      { runnerId: 7, launchJobId: 41, online: true, createdAtMs: undefined },
    ]);
  });
});

describe('judgeUnrecorded', () => {
  const runner = (ageMs: number | undefined, online = false): UnrecordedRunner => ({
    runnerId: 1,
    launchJobId: 41,
    online,
    createdAtMs: ageMs === undefined ? undefined : NOW - ageMs,
  });

  it.each<[string, UnrecordedVerdict, UnrecordedRunner]>([
    ['offline, 11 min old (a rollback whose delete failed)', 'delete', runner(11 * MINUTE)],
    ['offline, a day old', 'delete', runner(24 * 60 * MINUTE)],
    ['offline, 9 min old (its launch may be being recorded)', 'recent', runner(9 * MINUTE)],
    ['online (it runs in another stack, Region or account)', 'live', runner(24 * 60 * MINUTE, true)],
    ['without created_at (older GitLab)', 'unproven', runner(undefined)],
  ])('a runner %s: %s', (_case, verdict, unrecorded) => {
    expect(judgeUnrecorded(unrecorded, NOW)).toBe(verdict);
  });
});
