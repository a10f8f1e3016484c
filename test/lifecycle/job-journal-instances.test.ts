import { describe, expect, it } from 'vitest';
import type { JobJournal, Placement } from '../../lambdas/lifecycle/ports';
import { jobTable, PROJECT, T0_SECONDS } from '../support/job-table';

const { fresh, journalAt, readItem, launchedItem } = jobTable();

describe('job journal: by instance', () => {
  it('finds the jobs that name an instance, by the index, and no others', async () => {
    const { jobId, at, elsewhere } = fresh();
    const journal = journalAt();
    await launchedItem(jobId, at);
    await journal.recordRunning(jobId + 100_000, PROJECT, at);
    await journal.recordRunning(jobId + 100_001, PROJECT, elsewhere);

    const found = await journal.findByInstance(at.instanceId);

    expect(found.map((record) => [record.jobId, record.state]).sort()).toEqual([
      [jobId, 'launched'],
      [jobId + 100_000, 'running'],
    ]);
  });

  it('finds a job under the instance it runs on, not the one launched for it', async () => {
    const { jobId, at, elsewhere } = fresh();
    await launchedItem(jobId, at);

    await journalAt().recordRunning(jobId, PROJECT, elsewhere);

    expect(await journalAt().findByInstance(at.instanceId)).toEqual([]);
    expect((await journalAt().findByInstance(elsewhere.instanceId)).map((r) => r.jobId)).toEqual([jobId]);
  });
});

describe('job journal: displaced', () => {
  it('gives back a job still launched for the instance, once, answering its project', async () => {
    const { jobId, at } = fresh();
    await launchedItem(jobId, at);

    expect(await journalAt().markDisplaced(jobId, at.instanceId, undefined)).toBe(PROJECT);
    expect(await journalAt().markDisplaced(jobId, at.instanceId, undefined)).toBeUndefined();
    expect(await readItem(jobId)).toMatchObject({
      state: { S: 'lost' },
      displacedAt: { N: String(T0_SECONDS) },
    });
  });

  it('leaves alone a job launched in the pool where the job that took its instance left one spare', async () => {
    const { jobId, at } = fresh();
    await launchedItem(jobId, at);

    expect(await journalAt().markDisplaced(jobId, at.instanceId, 'arm-docker')).toBeUndefined();
    expect(await journalAt().markDisplaced(jobId, at.instanceId, 'x86-docker')).toBe(PROJECT);
  });

  it('leaves alone a job that runs, or that was launched for another instance', async () => {
    const { jobId, at, elsewhere } = fresh();
    await launchedItem(jobId, at);
    expect(await journalAt().markDisplaced(jobId, elsewhere.instanceId, undefined)).toBeUndefined();

    await journalAt().recordRunning(jobId, PROJECT, elsewhere);
    expect(await journalAt().markDisplaced(jobId, at.instanceId, undefined)).toBeUndefined();
    expect((await readItem(jobId))?.state).toEqual({ S: 'running' });
  });
});

describe('job journal: by launch instance', () => {
  it('finds the runner a launch registered on an instance even after its job ran elsewhere', async () => {
    const { jobId, at, elsewhere } = fresh();
    await launchedItem(jobId, at);
    await journalAt().recordRunning(jobId, PROJECT, elsewhere);

    expect(await journalAt().findLaunchedOn(at.instanceId)).toEqual([
      { jobId, runnerId: at.runnerId, warned: false },
    ]);
    expect(await journalAt().findLaunchedOn(elsewhere.instanceId)).toEqual([]);
  });

  it('marks a launch record warned, idempotently, and only for the instance it names', async () => {
    const { jobId, at, elsewhere } = fresh();
    await launchedItem(jobId, at);

    await journalAt().markLaunchWarned(jobId, elsewhere.instanceId);
    expect((await journalAt().findLaunchedOn(at.instanceId))[0]?.warned).toBe(false);
    await journalAt().markLaunchWarned(jobId, at.instanceId);
    await journalAt().markLaunchWarned(jobId, at.instanceId);

    expect(await journalAt().findLaunchedOn(at.instanceId)).toEqual([
      { jobId, runnerId: at.runnerId, warned: true },
    ]);
    expect(await readItem(jobId)).toMatchObject({
      state: { S: 'launched' },
      launchWarned: { BOOL: true },
      launchWarnedAt: { N: String(T0_SECONDS) },
    });
  });

  it('finds nothing for an instance no launch created (a job recorded running there only)', async () => {
    const { jobId, at } = fresh();
    await journalAt().recordRunning(jobId, PROJECT, at);

    expect(await journalAt().findLaunchedOn(at.instanceId)).toEqual([]);
  });
});

describe('job journal: interruption and retry', () => {
  it('marks a job running on the instance interrupted, once', async () => {
    const { jobId, at } = fresh();
    const journal = journalAt();
    await journal.recordRunning(jobId, PROJECT, at);

    expect(await journal.markInterrupted(jobId, at.instanceId)).toBe(true);
    expect(await journal.markInterrupted(jobId, at.instanceId)).toBe(false);
    expect(await readItem(jobId)).toMatchObject({
      interrupted: { BOOL: true },
      interruptedAt: { N: String(T0_SECONDS) },
    });
  });

  it.each<[string, (journal: JobJournal, jobId: number, at: Placement) => Promise<unknown>]>([
    ['a job that is not running', (_journal, jobId, at) => launchedItem(jobId, at)],
    ['a finished job', (journal, jobId, at) => journal.recordFinished(jobId, PROJECT, 'success', at)],
    ['no job at all', async () => undefined],
  ])('does not mark %s interrupted', async (_name, arrange) => {
    const { jobId, at } = fresh();
    await arrange(journalAt(), jobId, at);

    expect(await journalAt().markInterrupted(jobId, at.instanceId)).toBe(false);
  });

  it('marks a job that failed on the instance interrupted (GitLab failed it when its runner vanished)', async () => {
    const { jobId, at } = fresh();
    await journalAt().recordFinished(jobId, PROJECT, 'failed', at);

    expect(await journalAt().markInterrupted(jobId, at.instanceId)).toBe(true);
  });

  it('does not mark a job that succeeded or was cancelled on the instance interrupted', async () => {
    const { jobId, at } = fresh();
    await journalAt().recordFinished(jobId, PROJECT, 'success', at);
    await journalAt().recordFinished(jobId + 1, PROJECT, 'canceled', at);

    expect(await journalAt().markInterrupted(jobId, at.instanceId)).toBe(false);
    expect(await journalAt().markInterrupted(jobId + 1, at.instanceId)).toBe(false);
  });

  it('does not mark a job running on another instance interrupted', async () => {
    const { jobId, at, elsewhere } = fresh();
    await journalAt().recordRunning(jobId, PROJECT, elsewhere);

    expect(await journalAt().markInterrupted(jobId, at.instanceId)).toBe(false);
  });

  it('records the retry of an interrupted job once, with the new job', async () => {
    const { jobId, at } = fresh();
    const journal = journalAt();
    await journal.recordRunning(jobId, PROJECT, at);
    await journal.markInterrupted(jobId, at.instanceId);

    expect(await journal.markRetried(jobId, jobId + 1)).toBe(true);
    expect(await journal.markRetried(jobId, jobId + 2)).toBe(false);
    expect(await readItem(jobId)).toMatchObject({
      retried: { BOOL: true },
      retriedJobId: { N: String(jobId + 1) },
    });
    expect(await journal.get(jobId)).toMatchObject({ interrupted: true, retried: true });
  });

  it('records a refused retry without a new job', async () => {
    const { jobId, at } = fresh();
    const journal = journalAt();
    await journal.recordRunning(jobId, PROJECT, at);
    await journal.markInterrupted(jobId, at.instanceId);

    expect(await journal.markRetried(jobId, undefined)).toBe(true);
    expect((await readItem(jobId))?.retriedJobId).toBeUndefined();
  });

  it('records no retry for a job that was not interrupted', async () => {
    const { jobId, at } = fresh();
    await journalAt().recordRunning(jobId, PROJECT, at);

    expect(await journalAt().markRetried(jobId, jobId + 1)).toBe(false);
  });
});
