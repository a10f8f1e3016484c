import { describe, expect, it } from 'vitest';
import { T0 } from '../support/job-table';
import { arrangeLaunched, IMPLEMENTATIONS, type JobTableSubject } from './subjects';

describe.each(IMPLEMENTATIONS)('job table (%s): runners recorded deleted', (_name, open) => {
  const table: JobTableSubject = open();

  it('records a deleted runner on the item, idempotently, for every reader: the item, the launch index and the open set', async () => {
    const { jobId, at } = table.fresh();
    await arrangeLaunched(table, jobId, at);

    await table.journalAt().markRunnerDeleted(jobId, at.runnerId);
    await table.sweepAt().markRunnerDeleted(jobId, at.runnerId);

    expect((await table.journalAt().get(jobId))?.runnersDeleted).toEqual([at.runnerId]);
    expect(await table.journalAt().findLaunchedOn(at.instanceId)).toEqual([
      { jobId, runnerId: at.runnerId, warned: false, deleted: true },
    ]);
    expect((await table.journalAt().findByInstance(at.instanceId))[0]?.runnersDeleted).toEqual([at.runnerId]);
    const open = (await table.sweepAt(T0).open()).find((item) => item.jobId === jobId);
    expect(open?.runnersDeleted).toEqual([at.runnerId]);
    // Recording the runner deleted cleans nothing up: the token and the mark are the sweep's still.
    expect(open?.cleanedUp).toBe(false);
  });

  it('keeps every runner of an item recorded (its launch and where it ran), and nothing for a runner not deleted', async () => {
    const { jobId, at, elsewhere } = table.fresh();
    await arrangeLaunched(table, jobId, at);
    expect((await table.journalAt().get(jobId))?.runnersDeleted).toEqual([]);

    await table.journalAt().markRunnerDeleted(jobId, elsewhere.runnerId);
    await table.journalAt().markRunnerDeleted(jobId, at.runnerId);

    expect([...((await table.journalAt().get(jobId))?.runnersDeleted ?? [])].sort()).toEqual(
      [at.runnerId, elsewhere.runnerId].sort(),
    );
  });

  it('writes no item for a job the table does not hold (expired, or never launched)', async () => {
    const { jobId } = table.fresh();

    await table.journalAt().markRunnerDeleted(jobId, 4242);

    expect(await table.journalAt().get(jobId)).toBeUndefined();
  });
});
