import { PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { JobItemError } from '../../lambdas/lifecycle/adapters/job-item';
import type { JobJournal, Placement } from '../../lambdas/lifecycle/ports';
import { JOB_ITEM_TTL_SECONDS } from '../../lambdas/shared/job-table/lifetimes';
import { jobTable, PROJECT, T0, T0_SECONDS, TABLE } from '../support/job-table';

const { dynamo, fresh, journalAt, ledger, readItem, launchedItem } = jobTable();

describe('job journal: running', () => {
  it('creates the item of a job it never saw, in whole epoch seconds, expiring in 7 days', async () => {
    const { jobId, at } = fresh();

    const outcome = await journalAt().recordRunning(jobId, PROJECT, at);

    expect(outcome).toEqual({ recorded: true, pool: undefined, launchedOn: undefined });
    expect(await readItem(jobId)).toEqual({
      jobId: { N: String(jobId) },
      state: { S: 'running' },
      projectId: { N: String(PROJECT) },
      instanceId: { S: at.instanceId },
      runnerId: { N: '9100' },
      runningAt: { N: String(T0_SECONDS) },
      expiresAt: { N: String(T0_SECONDS + JOB_ITEM_TTL_SECONDS) },
      cleanedUp: { BOOL: false },
    });
  });

  it('runs a lost job the reaper cleaned up on another instance as not cleaned up', async () => {
    const { jobId, at, elsewhere } = fresh();
    await launchedItem(jobId, at, 'lost');
    await dynamo().send(
      new UpdateItemCommand({
        TableName: TABLE,
        Key: { jobId: { N: String(jobId) } },
        UpdateExpression: 'SET cleanedUp = :true',
        ExpressionAttributeValues: { ':true': { BOOL: true } },
      }),
    );

    await journalAt().recordRunning(jobId, PROJECT, elsewhere);

    expect(await readItem(jobId)).toMatchObject({ state: { S: 'running' }, cleanedUp: { BOOL: false } });
  });

  it("refuses scale-up's claim of a job recorded running (running overtook pending)", async () => {
    const { jobId, at } = fresh();
    await journalAt().recordRunning(jobId, PROJECT, at);

    expect(await ledger().claim(jobId, PROJECT)).toBe(false);
  });

  it.each(['claimed', 'launched', 'skipped', 'lost'])(
    'moves a %s job to running, on the instance it runs on',
    async (state) => {
      const { jobId, at, elsewhere } = fresh();
      await launchedItem(jobId, at, state);

      const outcome = await journalAt().recordRunning(jobId, PROJECT, elsewhere);

      const launched = state === 'launched' || state === 'lost';
      expect(outcome).toEqual({
        recorded: true,
        pool: launched ? 'arm-docker' : undefined,
        launchedOn: launched ? at.instanceId : undefined,
      });
      expect(await readItem(jobId)).toMatchObject({
        state: { S: 'running' },
        instanceId: { S: elsewhere.instanceId },
        runnerId: { N: '9200' },
      });
    },
  );

  it.each<[string, (journal: JobJournal, jobId: number, at: Placement) => Promise<unknown>]>([
    ['running', (journal, jobId, at) => journal.recordRunning(jobId, PROJECT, at)],
    ['finished', (journal, jobId, at) => journal.recordFinished(jobId, PROJECT, 'success', at)],
  ])('leaves a %s job as it is', async (_state, arrange) => {
    const { jobId, at, elsewhere } = fresh();
    await arrange(journalAt(), jobId, at);
    const before = await readItem(jobId);

    const outcome = await journalAt(T0 + 60_000).recordRunning(jobId, PROJECT, elsewhere);

    expect(outcome.recorded).toBe(false);
    expect(await readItem(jobId)).toEqual(before);
  });

  it('leaves a job in a state another writer added as it is', async () => {
    const { jobId, at } = fresh();
    const item = { jobId: { N: String(jobId) }, state: { S: 'vanished' } };
    await dynamo().send(new PutItemCommand({ TableName: TABLE, Item: item }));

    expect((await journalAt().recordRunning(jobId, PROJECT, at)).recorded).toBe(false);
    expect(await readItem(jobId)).toEqual(item);
  });
});

describe('job journal: finished', () => {
  it('records a job that finished on a runner of ours as finished and cleaned up', async () => {
    const { jobId, at } = fresh();

    expect(await journalAt().recordFinished(jobId, PROJECT, 'failed', at)).toBe(true);

    expect(await readItem(jobId)).toEqual({
      jobId: { N: String(jobId) },
      state: { S: 'finished' },
      finishedStatus: { S: 'failed' },
      finishedAt: { N: String(T0_SECONDS) },
      projectId: { N: String(PROJECT) },
      instanceId: { S: at.instanceId },
      runnerId: { N: '9100' },
      cleanedUp: { BOOL: true },
      expiresAt: { N: String(T0_SECONDS + JOB_ITEM_TTL_SECONDS) },
    });
  });

  it("keeps the launch's instance of a job that finished without running", async () => {
    const { jobId, at } = fresh();
    await launchedItem(jobId, at);

    await journalAt().recordFinished(jobId, PROJECT, 'canceled', undefined);

    const item = await readItem(jobId);
    expect(item).toMatchObject({ state: { S: 'finished' }, instanceId: { S: at.instanceId } });
    expect(item?.cleanedUp).toBeUndefined();
  });

  it('finishes a job once: a second finish changes nothing', async () => {
    const { jobId, at, elsewhere } = fresh();
    await journalAt().recordFinished(jobId, PROJECT, 'success', at);
    const before = await readItem(jobId);

    expect(await journalAt(T0 + 60_000).recordFinished(jobId, PROJECT, 'failed', elsewhere)).toBe(false);
    expect(await readItem(jobId)).toEqual(before);
  });

  it('keeps the interruption of a job that finishes', async () => {
    const { jobId, at } = fresh();
    const journal = journalAt();
    await journal.recordRunning(jobId, PROJECT, at);
    await journal.markInterrupted(jobId, at.instanceId);

    await journal.recordFinished(jobId, PROJECT, 'failed', at);

    expect(await journal.get(jobId)).toMatchObject({ state: 'finished', interrupted: true, retried: false });
  });
});

describe('job journal: reading', () => {
  it('reads a job scale-up launched', async () => {
    const { jobId, at } = fresh();
    await launchedItem(jobId, at);

    expect(await journalAt().get(jobId)).toEqual({
      jobId,
      state: 'launched',
      projectId: PROJECT,
      instanceId: at.instanceId,
      runnerId: 9100,
      pool: 'arm-docker',
      launch: { instanceId: at.instanceId, runnerId: 9100 },
      finishedStatus: undefined,
      interrupted: false,
      retried: false,
      cancelledForRetry: false,
      cleanedUp: false,
    });
  });

  it('reads no job as undefined', async () => {
    expect(await journalAt().get(fresh().jobId)).toBeUndefined();
  });

  it('refuses an item without a state', async () => {
    const { jobId } = fresh();
    await dynamo().send(new PutItemCommand({ TableName: TABLE, Item: { jobId: { N: String(jobId) } } }));

    await expect(journalAt().get(jobId)).rejects.toBeInstanceOf(JobItemError);
  });
});
