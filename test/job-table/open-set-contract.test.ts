import { describe, expect, it } from 'vitest';
import { PROJECT } from '../support/job-table';
import { arrangeLaunched, IMPLEMENTATIONS, type JobTableSubject, launchOn } from './subjects';

describe.each(IMPLEMENTATIONS)("job table (%s): the reaper's open set", (_name, open) => {
  const table: JobTableSubject = open();
  const isOpen = async (jobId: number) => (await table.sweepAt().open()).some((i) => i.jobId === jobId);

  it('holds a launched job, and a running one', async () => {
    const launched = table.fresh();
    const running = table.fresh();
    await arrangeLaunched(table, launched.jobId, launched.at);
    await table.journalAt().recordRunning(running.jobId, PROJECT, running.at);

    expect(await isOpen(launched.jobId)).toBe(true);
    expect(await isOpen(running.jobId)).toBe(true);
  });

  it('leaves out a claimed job and a skipped one: they name no instance', async () => {
    const claimed = table.fresh();
    const skipped = table.fresh();
    await arrangeLaunched(table, claimed.jobId, claimed.at, 'claimed');
    await arrangeLaunched(table, skipped.jobId, skipped.at, 'skipped');

    expect(await isOpen(claimed.jobId)).toBe(false);
    expect(await isOpen(skipped.jobId)).toBe(false);
  });

  it('loses a job that finished where it was launched and was cleaned up there', async () => {
    const { jobId, at } = table.fresh();
    await arrangeLaunched(table, jobId, at);
    await table.journalAt().recordRunning(jobId, PROJECT, at);

    await table.journalAt().recordFinished(jobId, PROJECT, 'success', at);

    expect(await isOpen(jobId)).toBe(false);
  });

  it('keeps a job that finished without a placement until the reaper cleans up its instance', async () => {
    const { jobId, at } = table.fresh();
    await arrangeLaunched(table, jobId, at);
    await table.journalAt().recordFinished(jobId, PROJECT, 'canceled', undefined);
    expect(await isOpen(jobId)).toBe(true);

    await table.sweepAt().markCleanedUp(jobId, at.instanceId);

    expect(await isOpen(jobId)).toBe(false);
  });

  it("keeps a job that ran elsewhere until its launch's runner is cleaned up too", async () => {
    const { jobId, at, elsewhere } = table.fresh();
    await arrangeLaunched(table, jobId, at);
    await table.journalAt().recordRunning(jobId, PROJECT, elsewhere);
    await table.journalAt().recordFinished(jobId, PROJECT, 'success', elsewhere);
    expect(await isOpen(jobId)).toBe(true);

    await table.sweepAt().markLaunchCleanedUp(jobId, at.instanceId);

    expect(await isOpen(jobId)).toBe(false);
  });

  it("keeps a running job whose launch's runner was cleaned up until it is cleaned up itself", async () => {
    const { jobId, at, elsewhere } = table.fresh();
    await arrangeLaunched(table, jobId, at);
    await table.journalAt().recordRunning(jobId, PROJECT, elsewhere);

    await table.sweepAt().markLaunchCleanedUp(jobId, at.instanceId);

    expect(await isOpen(jobId)).toBe(true);
  });

  it('loses a job marked lost, and holds it again once it runs or is launched anew', async () => {
    const first = table.fresh();
    const second = table.fresh();
    await arrangeLaunched(table, first.jobId, first.at, 'lost');
    await arrangeLaunched(table, second.jobId, second.at, 'lost');
    expect(await isOpen(first.jobId)).toBe(false);

    await table.journalAt().recordRunning(first.jobId, PROJECT, first.elsewhere);
    await table.ledgerAt().claim(second.jobId, PROJECT);
    expect(await isOpen(second.jobId)).toBe(false);
    await table.ledgerAt().recordLaunch(second.jobId, launchOn(second.elsewhere));

    expect(await isOpen(first.jobId)).toBe(true);
    expect(await isOpen(second.jobId)).toBe(true);
  });

  it('answers by key the states of the jobs that have an item, open or not', async () => {
    const skipped = table.fresh();
    const lost = table.fresh();
    const none = table.fresh();
    await arrangeLaunched(table, skipped.jobId, skipped.at, 'skipped');
    await arrangeLaunched(table, lost.jobId, lost.at, 'lost');

    const states = await table.sweepAt().statesOf([skipped.jobId, lost.jobId, none.jobId, lost.jobId]);

    expect([...states].sort(([a], [b]) => a - b)).toEqual([
      [skipped.jobId, 'skipped'],
      [lost.jobId, 'lost'],
    ]);
  });
});
