import { describe, expect, it } from 'vitest';
import type { JobJournal, Placement } from '../../lambdas/shared/job-table/views';
import { PROJECT, T0 } from '../support/job-table';
import { arrangeLaunched, IMPLEMENTATIONS, type JobTableSubject } from './subjects';

describe.each(IMPLEMENTATIONS)('job table (%s): running', (_name, open) => {
  const table: JobTableSubject = open();

  it('records a job it never saw running, creating it (running came before pending)', async () => {
    const { jobId, at } = table.fresh();

    const outcome = await table.journalAt().recordRunning(jobId, PROJECT, at);

    expect(outcome).toEqual({ recorded: true, pool: undefined, launchedOn: undefined });
    expect(await table.journalAt().get(jobId)).toMatchObject({ state: 'running', projectId: PROJECT, ...at });
  });

  it.each(['claimed', 'launched', 'skipped', 'lost'] as const)(
    'moves a %s job to running, on the instance it runs on, not cleaned up',
    async (state) => {
      const { jobId, at, elsewhere } = table.fresh();
      await arrangeLaunched(table, jobId, at, state);

      const outcome = await table.journalAt().recordRunning(jobId, PROJECT, elsewhere);

      const launched = state === 'launched' || state === 'lost';
      expect(outcome).toEqual({
        recorded: true,
        pool: launched ? 'arm-docker' : undefined,
        launchedOn: launched ? at.instanceId : undefined,
      });
      expect(await table.journalAt().get(jobId)).toMatchObject({
        state: 'running',
        cleanedUp: false,
        ...elsewhere,
      });
    },
  );

  it.each<[string, (journal: JobJournal, jobId: number, at: Placement) => Promise<unknown>]>([
    ['running', (journal, jobId, at) => journal.recordRunning(jobId, PROJECT, at)],
    ['finished', (journal, jobId, at) => journal.recordFinished(jobId, PROJECT, 'success', at)],
  ])('records running once and never backwards: a %s job stays as it is', async (_state, arrange) => {
    const { jobId, at, elsewhere } = table.fresh();
    await arrange(table.journalAt(), jobId, at);
    const before = await table.journalAt().get(jobId);

    const outcome = await table.journalAt(T0 + 60_000).recordRunning(jobId, PROJECT, elsewhere);

    expect(outcome.recorded).toBe(false);
    expect(await table.journalAt().get(jobId)).toEqual(before);
  });
});

describe.each(IMPLEMENTATIONS)('job table (%s): finished', (_name, open) => {
  const table: JobTableSubject = open();

  it('records a job that finished on a runner of ours as finished and cleaned up there', async () => {
    const { jobId, at } = table.fresh();

    expect(await table.journalAt().recordFinished(jobId, PROJECT, 'failed', at)).toBe(true);

    expect(await table.journalAt().get(jobId)).toMatchObject({
      state: 'finished',
      finishedStatus: 'failed',
      cleanedUp: true,
      ...at,
    });
  });

  it("keeps the launch's instance of a job that finished without running, not cleaned up", async () => {
    const { jobId, at } = table.fresh();
    await arrangeLaunched(table, jobId, at);

    await table.journalAt().recordFinished(jobId, PROJECT, 'canceled', undefined);

    expect(await table.journalAt().get(jobId)).toMatchObject({
      state: 'finished',
      instanceId: at.instanceId,
      cleanedUp: false,
    });
  });

  it('finishes a job once: a finished job stays finished', async () => {
    const { jobId, at, elsewhere } = table.fresh();
    await table.journalAt().recordFinished(jobId, PROJECT, 'success', at);
    const before = await table.journalAt().get(jobId);

    expect(await table.journalAt(T0 + 60_000).recordFinished(jobId, PROJECT, 'failed', elsewhere)).toBe(
      false,
    );
    expect(await table.journalAt().get(jobId)).toEqual(before);
  });

  it('keeps the interruption of a job that finishes', async () => {
    const { jobId, at } = table.fresh();
    await table.journalAt().recordRunning(jobId, PROJECT, at);
    await table.journalAt().markInterrupted(jobId, at.instanceId);

    await table.journalAt().recordFinished(jobId, PROJECT, 'failed', at);

    expect(await table.journalAt().get(jobId)).toMatchObject({
      state: 'finished',
      interrupted: true,
      retried: false,
    });
  });
});

describe.each(IMPLEMENTATIONS)('job table (%s): by instance and by launch instance', (_name, open) => {
  const table: JobTableSubject = open();

  it('finds the jobs that name an instance, and no others', async () => {
    const { jobId, at, elsewhere } = table.fresh();
    await arrangeLaunched(table, jobId, at);
    await table.journalAt().recordRunning(jobId + 100_000, PROJECT, at);
    await table.journalAt().recordRunning(jobId + 100_001, PROJECT, elsewhere);

    const found = await table.journalAt().findByInstance(at.instanceId);

    expect(found.map((record) => [record.jobId, record.state]).sort()).toEqual([
      [jobId, 'launched'],
      [jobId + 100_000, 'running'],
    ]);
  });

  it('finds a job under the instance it runs on, not the one launched for it', async () => {
    const { jobId, at, elsewhere } = table.fresh();
    await arrangeLaunched(table, jobId, at);

    await table.journalAt().recordRunning(jobId, PROJECT, elsewhere);

    expect(await table.journalAt().findByInstance(at.instanceId)).toEqual([]);
    expect((await table.journalAt().findByInstance(elsewhere.instanceId)).map((r) => r.jobId)).toEqual([
      jobId,
    ]);
  });

  it('finds the runner a launch registered on an instance even after its job ran elsewhere', async () => {
    const { jobId, at, elsewhere } = table.fresh();
    await arrangeLaunched(table, jobId, at);
    await table.journalAt().recordRunning(jobId, PROJECT, elsewhere);

    expect(await table.journalAt().findLaunchedOn(at.instanceId)).toEqual([
      { jobId, runnerId: at.runnerId, warned: false, deleted: false },
    ]);
    expect(await table.journalAt().findLaunchedOn(elsewhere.instanceId)).toEqual([]);
  });

  it('finds no launch on an instance released and claimed again (the new claim has none)', async () => {
    const { jobId, at } = table.fresh();
    await arrangeLaunched(table, jobId, at, 'lost');
    await table.ledgerAt().claim(jobId, PROJECT);

    expect(await table.journalAt().findLaunchedOn(at.instanceId)).toEqual([]);
    expect(await table.journalAt().findByInstance(at.instanceId)).toEqual([]);
  });

  it('marks a launch record warned, idempotently, and only for the instance it names', async () => {
    const { jobId, at, elsewhere } = table.fresh();
    await arrangeLaunched(table, jobId, at);

    await table.journalAt().markLaunchWarned(jobId, elsewhere.instanceId);
    expect((await table.journalAt().findLaunchedOn(at.instanceId))[0]?.warned).toBe(false);
    await table.journalAt(T0 + 5_000).markLaunchWarned(jobId, at.instanceId);
    await table.journalAt(T0 + 9_000).markLaunchWarned(jobId, at.instanceId);

    expect(await table.journalAt().findLaunchedOn(at.instanceId)).toEqual([
      { jobId, runnerId: at.runnerId, warned: true, deleted: false },
    ]);
    expect(await table.journalAt().get(jobId)).toMatchObject({
      state: 'launched',
      launchWarnedAtMs: (Math.floor(T0 / 1000) + 5) * 1000,
    });
  });
});

describe.each(IMPLEMENTATIONS)('job table (%s): displaced', (_name, open) => {
  const table: JobTableSubject = open();

  it('gives back a job still launched for the instance, once, answering its project', async () => {
    const { jobId, at } = table.fresh();
    await arrangeLaunched(table, jobId, at);

    expect(await table.journalAt().markDisplaced(jobId, at.instanceId, undefined)).toBe(PROJECT);
    expect(await table.journalAt().markDisplaced(jobId, at.instanceId, undefined)).toBeUndefined();
    expect((await table.journalAt().get(jobId))?.state).toBe('lost');
    expect(await table.ledgerAt().claim(jobId, PROJECT)).toBe(true);
  });

  it('leaves alone a job launched in the pool where the job that took its instance left one spare', async () => {
    const { jobId, at } = table.fresh();
    await arrangeLaunched(table, jobId, at);

    expect(await table.journalAt().markDisplaced(jobId, at.instanceId, 'arm-docker')).toBeUndefined();
    expect(await table.journalAt().markDisplaced(jobId, at.instanceId, 'x86-docker')).toBe(PROJECT);
  });

  it('leaves alone a job that runs, or that was launched for another instance', async () => {
    const { jobId, at, elsewhere } = table.fresh();
    await arrangeLaunched(table, jobId, at);
    expect(await table.journalAt().markDisplaced(jobId, elsewhere.instanceId, undefined)).toBeUndefined();

    await table.journalAt().recordRunning(jobId, PROJECT, elsewhere);
    expect(await table.journalAt().markDisplaced(jobId, at.instanceId, undefined)).toBeUndefined();
    expect((await table.journalAt().get(jobId))?.state).toBe('running');
  });
});
