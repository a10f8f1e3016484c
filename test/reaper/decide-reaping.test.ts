import { describe, expect, it } from 'vitest';
import {
  decideReaping,
  idleRunnerIds,
  type ReapingSnapshot,
  type RunnerActivity,
} from '../../lambdas/reaper/decide-reaping';
import type { JobItem } from '../../lambdas/shared/job-table/views';
import { MINUTE, POOL, SETTINGS } from './reaper-world';

const NOW = Date.parse('2026-11-23T09:00:00Z');
const INSTANCE = 'i-0aaa1';

/** One booted instance, launched 16 minutes ago: past arm-docker's 10 min idle + 5 min boot grace. */
function idleSnapshot(
  item: Partial<JobItem> | undefined,
  runners?: ReadonlyMap<number, RunnerActivity>,
): ReapingSnapshot {
  const job: JobItem = {
    jobId: 1,
    state: 'launched',
    projectId: 380,
    instanceId: INSTANCE,
    runnerId: 9037,
    cleanedUp: false,
    touchedAtMs: NOW - 16 * MINUTE,
    ...item,
  };
  return {
    instances: [
      { instanceId: INSTANCE, pool: POOL, instanceType: 'm7g.large', launchedAtMs: NOW - 16 * MINUTE },
    ],
    jobs: item === undefined ? [] : [job],
    tokens: [],
    nowMs: NOW,
    ...(runners === undefined ? {} : { runners }),
  };
}

describe('decideReaping: an instance the job table shows idle', () => {
  it.each<[string, Partial<JobItem> | undefined, RunnerActivity | undefined, string]>([
    ['whose runner GitLab calls busy is kept', {}, 'busy', 'spared idle_but_busy'],
    ['whose runner GitLab calls idle is terminated', {}, 'idle', 'terminated instance_idle'],
    ['whose runner GitLab could not answer for is kept', {}, 'unknown', 'spared idle_unconfirmed'],
    ['whose runner was not asked (token refused) is terminated', {}, undefined, 'terminated instance_idle'],
    ['with no runner known is terminated', { runnerId: undefined }, 'busy', 'terminated instance_idle'],
    [
      'whose launch record alone names its runner (its job ran elsewhere) is kept when busy',
      {
        instanceId: 'i-0elsewhere',
        runnerId: 4242,
        state: 'running',
        launchInstanceId: INSTANCE,
        launchRunnerId: 9037,
      },
      'busy',
      'spared idle_but_busy',
    ],
    ['with no job item at all is terminated', undefined, 'busy', 'terminated instance_idle'],
  ])('%s', (_case, item, activity, outcome) => {
    const runners = activity === undefined ? undefined : new Map([[9037, activity]]);

    const plan = decideReaping(idleSnapshot(item, runners), SETTINGS);

    const seen = [
      ...plan.terminate.map((t) => `terminated ${t.reason}`),
      ...plan.spared.map((s) => `spared ${s.reason}`),
    ];
    expect(seen).toEqual([outcome]);
  });

  it('leaves the item, runner and token of a kept instance alone', () => {
    const snapshot = idleSnapshot({}, new Map([[9037, 'busy']]));
    const withToken = { ...snapshot, tokens: [{ instanceId: INSTANCE, lastModifiedMs: NOW - 16 * MINUTE }] };

    const plan = decideReaping(withToken, { ...SETTINGS, tokenPickupSeconds: 3600 });

    expect(plan).toMatchObject({ terminate: [], cleanups: [], tokens: [] });
    expect(plan.spared).toHaveLength(1);
  });

  it('still terminates an instance past its lifetime, whatever GitLab says of its runner', () => {
    const snapshot = idleSnapshot({}, new Map([[9037, 'busy']]));
    const old = { ...snapshot, nowMs: NOW + 2 * 60 * MINUTE };

    const plan = decideReaping(old, SETTINGS);

    expect(plan.terminate.map((t) => t.reason)).toEqual(['instance_lifetime']);
  });
});

describe('idleRunnerIds', () => {
  it('names the runner of each idle candidate once, and nothing for a busy or young instance', () => {
    const idle = idleSnapshot({});
    const running = idleSnapshot({ state: 'running' });
    const young = { ...idle, nowMs: NOW - 2 * MINUTE };

    expect(idleRunnerIds(idle, SETTINGS)).toEqual([9037]);
    expect(idleRunnerIds(running, SETTINGS)).toEqual([]);
    expect(idleRunnerIds(young, SETTINGS)).toEqual([]);
    expect(idleRunnerIds(idleSnapshot({ runnerId: undefined }), SETTINGS)).toEqual([]);
  });
});

/** Job 1 was launched on INSTANCE, ran elsewhere and finished there. */
const launchedHere = {
  instanceId: 'i-0elsewhere',
  runnerId: 4242,
  state: 'finished' as const,
  cleanedUp: true,
  launchInstanceId: INSTANCE,
  launchRunnerId: 9037,
};

describe('decideReaping: the runner of an instance launched for a job that ran elsewhere', () => {
  it('is marked when a sweep first finds its instance gone, and left to the lifecycle for now', () => {
    const snapshot = { ...idleSnapshot(launchedHere), instances: [] };

    const plan = decideReaping(snapshot, SETTINGS);

    expect(plan.cleanups).toEqual([]);
    expect(plan.launchesGone).toEqual([{ jobId: 1, instanceId: INSTANCE }]);
  });

  it('is deleted 15 minutes after a sweep first found its instance gone, though no item names it', () => {
    const snapshot = {
      ...idleSnapshot({ ...launchedHere, launchGoneAtMs: NOW - 16 * MINUTE }),
      instances: [],
    };

    const plan = decideReaping(snapshot, SETTINGS);

    expect(plan.cleanups).toEqual([
      { jobId: 1, instanceId: INSTANCE, runnerId: 9037, lost: false, launch: true },
    ]);
    expect(plan.launchesGone).toEqual([]);
  });

  it('is left alone once that cleanup is recorded', () => {
    const snapshot = { ...idleSnapshot({ ...launchedHere, launchCleanedUp: true }), instances: [] };

    expect(decideReaping(snapshot, SETTINGS).cleanups).toEqual([]);
  });
});

describe('decideReaping: the runner of a spot-warned instance', () => {
  it('is left to the lifecycle for 15 minutes after the warning: it may be the only way to the job it ran', () => {
    const warned = { ...launchedHere, launchWarnedAtMs: NOW - 14 * MINUTE };
    const snapshot = { ...idleSnapshot(warned), instances: [] };

    expect(decideReaping(snapshot, SETTINGS).cleanups).toEqual([]);
  });

  it('holds back the lost mark of a job still launched for that instance too', () => {
    const item = { launchInstanceId: INSTANCE, launchRunnerId: 9037, launchWarnedAtMs: NOW - MINUTE };
    const snapshot = { ...idleSnapshot(item), instances: [] };

    expect(decideReaping(snapshot, SETTINGS).cleanups).toEqual([]);
  });

  it('is deleted once the hold is over', () => {
    const warned = {
      ...launchedHere,
      launchWarnedAtMs: NOW - 16 * MINUTE,
      launchGoneAtMs: NOW - 16 * MINUTE,
    };
    const snapshot = { ...idleSnapshot(warned), instances: [] };

    expect(decideReaping(snapshot, SETTINGS).cleanups).toEqual([
      { jobId: 1, instanceId: INSTANCE, runnerId: 9037, lost: false, launch: true },
    ]);
  });
});
