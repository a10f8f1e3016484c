import { describe, expect, it } from 'vitest';
import type { JobJournal, Placement } from '../../lambdas/shared/job-table/views';
import { PROJECT, T0, T0_SECONDS } from '../support/job-table';
import { arrangeLaunched, IMPLEMENTATIONS, type JobTableSubject } from './subjects';

describe.each(IMPLEMENTATIONS)('job table (%s): interruption and retry', (_name, open) => {
  const table: JobTableSubject = open();

  it('marks a job running on the instance interrupted, once', async () => {
    const { jobId, at } = table.fresh();
    await table.journalAt().recordRunning(jobId, PROJECT, at);

    expect(await table.journalAt().markInterrupted(jobId, at.instanceId)).toBe(true);
    expect(await table.journalAt().markInterrupted(jobId, at.instanceId)).toBe(false);
    expect(await table.journalAt().get(jobId)).toMatchObject({ interrupted: true, retried: false });
  });

  it.each<[string, (journal: JobJournal, jobId: number, at: Placement) => Promise<unknown>]>([
    ['a job that is not running', (_journal, jobId, at) => arrangeLaunched(table, jobId, at)],
    [
      'a job that succeeded there',
      (journal, jobId, at) => journal.recordFinished(jobId, PROJECT, 'success', at),
    ],
    ['a job cancelled there', (journal, jobId, at) => journal.recordFinished(jobId, PROJECT, 'canceled', at)],
    [
      'a job running on another instance',
      (journal, jobId, at) =>
        journal.recordRunning(jobId, PROJECT, { ...at, instanceId: 'i-0ffffffffffffffff' }),
    ],
    ['no job at all', async () => undefined],
  ])('does not mark %s interrupted', async (_case, arrange) => {
    const { jobId, at } = table.fresh();
    await arrange(table.journalAt(), jobId, at);

    expect(await table.journalAt().markInterrupted(jobId, at.instanceId)).toBe(false);
  });

  it('marks a job that failed on the instance interrupted (GitLab failed it when its runner vanished)', async () => {
    const { jobId, at } = table.fresh();
    await table.journalAt().recordFinished(jobId, PROJECT, 'failed', at);

    expect(await table.journalAt().markInterrupted(jobId, at.instanceId)).toBe(true);
  });

  it.each<[string, number | undefined]>([
    ['as a new job', 42],
    ['refused by GitLab, without a new job', undefined],
  ])('records the retry of an interrupted job once: %s', async (_case, retriedAs) => {
    const { jobId, at } = table.fresh();
    await table.journalAt().recordRunning(jobId, PROJECT, at);
    await table.journalAt().markInterrupted(jobId, at.instanceId);

    expect(await table.journalAt().markRetried(jobId, retriedAs)).toBe(true);
    expect(await table.journalAt().markRetried(jobId, jobId + 2)).toBe(false);
    expect(await table.journalAt().get(jobId)).toMatchObject({ interrupted: true, retried: true });
  });

  it('records no retry, and no cancel for retry, for a job that was not interrupted', async () => {
    const { jobId, at } = table.fresh();
    await table.journalAt().recordRunning(jobId, PROJECT, at);

    expect(await table.journalAt().markRetried(jobId, jobId + 1)).toBe(false);
    await table.journalAt().markCancelledForRetry(jobId);
    expect(await table.journalAt().get(jobId)).toMatchObject({ retried: false, cancelledForRetry: false });
  });

  it('records that Spotlab cancels an interrupted job to retry it, idempotently', async () => {
    const { jobId, at } = table.fresh();
    await table.journalAt().recordRunning(jobId, PROJECT, at);
    await table.journalAt().markInterrupted(jobId, at.instanceId);

    await table.journalAt().markCancelledForRetry(jobId);
    await table.journalAt().markCancelledForRetry(jobId);

    expect((await table.journalAt().get(jobId))?.cancelledForRetry).toBe(true);
  });
});

describe.each(IMPLEMENTATIONS)("job table (%s): the reaper's marks", (_name, open) => {
  const table: JobTableSubject = open();
  // The item as a read by key finds it: a mark may take it out of the open set.
  const scanned = (jobId: number) => table.journalAt().get(jobId);

  it('reads an open item with the latest time any writer stamped on it', async () => {
    const { jobId, at } = table.fresh();
    await arrangeLaunched(table, jobId, at);

    expect((await table.sweepAt().open()).find((i) => i.jobId === jobId)).toMatchObject({
      jobId,
      state: 'launched',
      projectId: PROJECT,
      instanceId: at.instanceId,
      runnerId: at.runnerId,
      launchInstanceId: at.instanceId,
      launchRunnerId: at.runnerId,
      launchCleanedUp: false,
      launchWarnedAtMs: undefined,
      launchGoneAtMs: undefined,
      cleanedUp: false,
      touchedAtMs: T0_SECONDS * 1000,
    });
  });

  it('marks a launched job lost and cleaned up, once, and a claim then wins it', async () => {
    const { jobId, at } = table.fresh();
    await arrangeLaunched(table, jobId, at);

    expect(await table.sweepAt().markLost(jobId, at.instanceId)).toBe(true);
    expect(await table.sweepAt().markLost(jobId, at.instanceId)).toBe(false);
    expect(await scanned(jobId)).toMatchObject({ state: 'lost', cleanedUp: true });
    expect(await table.ledgerAt().claim(jobId, PROJECT)).toBe(true);
  });

  it.each<[string, (jobId: number, at: Placement, elsewhere: Placement) => Promise<unknown>]>([
    ['runs now', (jobId, _at, elsewhere) => table.journalAt().recordRunning(jobId, PROJECT, elsewhere)],
    [
      'was cleaned up by the lifecycle consumer',
      (jobId, at) => table.journalAt().recordFinished(jobId, PROJECT, 'success', at),
    ],
    ['was launched on another instance', async () => undefined],
  ])('does not mark lost a job that %s', async (name, arrange) => {
    const { jobId, at, elsewhere } = table.fresh();
    await arrangeLaunched(table, jobId, name === 'was launched on another instance' ? elsewhere : at);
    await arrange(jobId, at, elsewhere);
    const before = await scanned(jobId);

    expect(await table.sweepAt().markLost(jobId, at.instanceId)).toBe(false);
    expect(await scanned(jobId)).toEqual(before);
  });

  it('marks a running job whose instance is gone cleaned up, once, and only for that instance', async () => {
    const { jobId, at, elsewhere } = table.fresh();
    await table.journalAt().recordRunning(jobId, PROJECT, at);

    expect(await table.sweepAt().markCleanedUp(jobId, elsewhere.instanceId)).toBe(false);
    expect(await table.sweepAt().markCleanedUp(jobId, at.instanceId)).toBe(true);
    expect(await table.sweepAt().markCleanedUp(jobId, at.instanceId)).toBe(false);
    expect(await scanned(jobId)).toMatchObject({ state: 'running', cleanedUp: true });
  });

  it("keeps the first time a sweep found the launch's instance gone, only for that instance", async () => {
    const { jobId, at, elsewhere } = table.fresh();
    await arrangeLaunched(table, jobId, at);

    await table.sweepAt().markLaunchGone(jobId, elsewhere.instanceId);
    expect((await scanned(jobId))?.launchGoneAtMs).toBeUndefined();
    await table.sweepAt(T0 + 60_000).markLaunchGone(jobId, at.instanceId);
    await table.sweepAt(T0 + 120_000).markLaunchGone(jobId, at.instanceId);

    expect((await scanned(jobId))?.launchGoneAtMs).toBe((T0_SECONDS + 60) * 1000);
  });

  it("marks the launch's runner cleaned up once, only for the launch's instance, even after the job ran elsewhere", async () => {
    const { jobId, at, elsewhere } = table.fresh();
    await arrangeLaunched(table, jobId, at);
    await table.journalAt().recordRunning(jobId, PROJECT, elsewhere);

    expect(await table.sweepAt().markLaunchCleanedUp(jobId, elsewhere.instanceId)).toBe(false);
    expect(await table.sweepAt().markLaunchCleanedUp(jobId, at.instanceId)).toBe(true);
    expect(await table.sweepAt().markLaunchCleanedUp(jobId, at.instanceId)).toBe(false);
    expect(await scanned(jobId)).toMatchObject({ state: 'running', launchCleanedUp: true, cleanedUp: false });
  });
});
