import { describe, expect, it } from 'vitest';
import { STALE_CLAIM_SECONDS } from '../../lambdas/shared/job-table/lifetimes';
import { JobMovedOnError } from '../../lambdas/shared/job-table/views';
import { PROJECT, T0 } from '../support/job-table';
import { arrangeLaunched, IMPLEMENTATIONS, type JobTableSubject, launchOn } from './subjects';

describe.each(IMPLEMENTATIONS)('job table (%s): claims', (_name, open) => {
  const table: JobTableSubject = open();

  it('lets the first claim of a job win and the second lose', async () => {
    const { jobId } = table.fresh();

    const first = await table.ledgerAt().claim(jobId, PROJECT);
    const second = await table.ledgerAt().claim(jobId, PROJECT);

    expect([first, second]).toEqual([true, false]);
  });

  it('lets exactly one of several concurrent claims of a job win', async () => {
    const { jobId } = table.fresh();

    const results = await Promise.all([1, 2, 3, 4, 5].map(() => table.ledgerAt().claim(jobId, PROJECT)));

    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it.each<[string, number, boolean]>([
    ['a fresh claim', 0, false],
    ['a claim exactly STALE_CLAIM_SECONDS old', STALE_CLAIM_SECONDS, false],
    ['a claim older than STALE_CLAIM_SECONDS', STALE_CLAIM_SECONDS + 1, true],
  ])('lets a later invocation take over %s: %s', async (_case, ageSeconds, wins) => {
    const { jobId } = table.fresh();
    await table.ledgerAt(T0).claim(jobId, PROJECT);

    expect(await table.ledgerAt(T0 + ageSeconds * 1000).claim(jobId, PROJECT)).toBe(wins);
  });

  it('never takes over a launched job, however old', async () => {
    const { jobId, at } = table.fresh();
    await arrangeLaunched(table, jobId, at);

    expect(await table.ledgerAt(T0 + (STALE_CLAIM_SECONDS + 60) * 1000).claim(jobId, PROJECT)).toBe(false);
    expect((await table.journalAt().get(jobId))?.state).toBe('launched');
  });

  it.each(['running', 'finished'])(
    'refuses the claim of a job the lifecycle recorded %s first',
    async (state) => {
      const { jobId, at } = table.fresh();
      if (state === 'running') await table.journalAt().recordRunning(jobId, PROJECT, at);
      else await table.journalAt().recordFinished(jobId, PROJECT, 'success', at);

      expect(await table.ledgerAt(T0 + (STALE_CLAIM_SECONDS + 60) * 1000).claim(jobId, PROJECT)).toBe(false);
      expect((await table.journalAt().get(jobId))?.state).toBe(state);
    },
  );

  it('lets a claim win a job marked lost, its demand launching again', async () => {
    const { jobId, at } = table.fresh();
    await arrangeLaunched(table, jobId, at, 'lost');

    expect(await table.ledgerAt(T0 + 1000).claim(jobId, PROJECT)).toBe(true);
    expect(await table.journalAt().get(jobId)).toMatchObject({ state: 'claimed', instanceId: undefined });
  });

  it('lets exactly one of several concurrent claims of a lost job win', async () => {
    const { jobId, at } = table.fresh();
    await arrangeLaunched(table, jobId, at, 'lost');

    const results = await Promise.all([1, 2, 3].map(() => table.ledgerAt().claim(jobId, PROJECT)));

    expect(results.filter(Boolean)).toHaveLength(1);
  });
});

describe.each(IMPLEMENTATIONS)('job table (%s): releases', (_name, open) => {
  const table: JobTableSubject = open();

  it('lets a later claim win after a release', async () => {
    const { jobId } = table.fresh();
    await table.ledgerAt().claim(jobId, PROJECT);

    await table.ledgerAt().release(jobId);

    expect(await table.journalAt().get(jobId)).toBeUndefined();
    expect(await table.ledgerAt().claim(jobId, PROJECT)).toBe(true);
  });

  it('releases a job nobody claimed without failing, leaving no item', async () => {
    const { jobId } = table.fresh();

    await expect(table.ledgerAt().release(jobId)).resolves.toBeUndefined();
    expect(await table.journalAt().get(jobId)).toBeUndefined();
  });

  it('releases only a claim: a launched job stays launched', async () => {
    const { jobId, at } = table.fresh();
    await arrangeLaunched(table, jobId, at);

    await table.ledgerAt().release(jobId);

    expect((await table.journalAt().get(jobId))?.state).toBe('launched');
    expect(await table.ledgerAt().claim(jobId, PROJECT)).toBe(false);
  });
});

describe.each(IMPLEMENTATIONS)('job table (%s): launches and skips', (_name, open) => {
  const table: JobTableSubject = open();

  it('records the launch: the job names its instance, runner and pool, and the launch index its runner', async () => {
    const { jobId, at } = table.fresh();
    await table.ledgerAt().claim(jobId, PROJECT);

    await table.ledgerAt().recordLaunch(jobId, launchOn(at));

    expect(await table.journalAt().get(jobId)).toMatchObject({
      jobId,
      state: 'launched',
      projectId: PROJECT,
      instanceId: at.instanceId,
      runnerId: at.runnerId,
      pool: 'arm-docker',
      launchInstanceId: at.instanceId,
      launchRunnerId: at.runnerId,
    });
    expect(await table.journalAt().findLaunchedOn(at.instanceId)).toEqual([
      { jobId, runnerId: at.runnerId, warned: false, deleted: false },
    ]);
  });

  it('records a skip', async () => {
    const { jobId } = table.fresh();
    await table.ledgerAt().claim(jobId, PROJECT);

    await table.ledgerAt().recordSkip(jobId, 'status_running');

    expect((await table.journalAt().get(jobId))?.state).toBe('skipped');
  });

  it.each<[string, 'none' | 'launched' | 'skipped' | 'running']>([
    ['a job nobody claimed', 'none'],
    ['a job launched already', 'launched'],
    ['a job skipped already', 'skipped'],
    ['a job that runs on another runner meanwhile', 'running'],
  ])('lets only the claim holder record a launch or skip: not for %s', async (_case, state) => {
    const { jobId, at, elsewhere } = table.fresh();
    if (state === 'launched' || state === 'skipped') await arrangeLaunched(table, jobId, at, state);
    if (state === 'running') {
      await table.ledgerAt().claim(jobId, PROJECT);
      await table.journalAt().recordRunning(jobId, PROJECT, at);
    }
    const before = await table.journalAt().get(jobId);

    await expect(table.ledgerAt().recordLaunch(jobId, launchOn(elsewhere))).rejects.toBeInstanceOf(
      JobMovedOnError,
    );
    await expect(table.ledgerAt().recordSkip(jobId, 'no_pool')).rejects.toBeInstanceOf(JobMovedOnError);
    expect(await table.journalAt().get(jobId)).toEqual(before);
  });
});
