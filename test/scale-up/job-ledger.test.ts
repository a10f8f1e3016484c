import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamoJobLedger } from '../../lambdas/scale-up/adapters/dynamo-job-ledger';
import { type JobLedger, JobMovedOnError, type LaunchRecord } from '../../lambdas/scale-up/ports';
import { JOB_ITEM_TTL_SECONDS, STALE_CLAIM_SECONDS } from '../../lambdas/shared/job-table/lifetimes';
import { InMemoryLedger } from '../../sim/in-memory-stores';
import { jobTable, PROJECT, T0, T0_SECONDS, TABLE } from '../support/job-table';

const { dynamo, fresh, readItem } = jobTable();

const freshJobId = (): number => fresh().jobId;

/** The ledger as an invocation at `nowMs` would see it. */
const ledgerAt = (nowMs: number = T0): JobLedger => dynamoJobLedger(dynamo(), TABLE, () => nowMs);

const launch: LaunchRecord = {
  instanceId: 'i-0123456789abcdef0',
  runnerId: 9171,
  pool: 'arm-docker',
  lifecycle: 'spot',
};

describe('job ledger: claims', () => {
  it('lets the first claim of a job win and the second lose', async () => {
    const ledger = ledgerAt();
    const jobId = freshJobId();

    const first = await ledger.claim(jobId, PROJECT);
    const second = await ledger.claim(jobId, PROJECT);

    expect([first, second]).toEqual([true, false]);
  });

  it('lets exactly one of several concurrent claims of a job win', async () => {
    const jobId = freshJobId();
    const invocations = Array.from({ length: 5 }, () => ledgerAt());

    const results = await Promise.all(invocations.map((ledger) => ledger.claim(jobId, PROJECT)));

    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('lets a later claim win after a release', async () => {
    const ledger = ledgerAt();
    const jobId = freshJobId();
    await ledger.claim(jobId, PROJECT);

    await ledger.release(jobId);

    expect(await ledger.claim(jobId, PROJECT)).toBe(true);
  });

  it('releases a job nobody claimed without failing', async () => {
    const jobId = freshJobId();

    await expect(ledgerAt().release(jobId)).resolves.toBeUndefined();
    expect(await readItem(jobId)).toBeUndefined();
  });

  it.each<[string, number, boolean]>([
    ['a fresh claim', 0, false],
    ['a claim exactly STALE_CLAIM_SECONDS old', STALE_CLAIM_SECONDS, false],
    ['a claim older than STALE_CLAIM_SECONDS', STALE_CLAIM_SECONDS + 1, true],
  ])('lets a later invocation take over %s: %s', async (_name, ageSeconds, wins) => {
    const jobId = freshJobId();
    await ledgerAt(T0).claim(jobId, PROJECT);

    const later = await ledgerAt(T0 + ageSeconds * 1000).claim(jobId, PROJECT);

    expect(later).toBe(wins);
    expect((await readItem(jobId))?.claimedAt).toEqual({
      N: String(wins ? T0_SECONDS + ageSeconds : T0_SECONDS),
    });
  });

  it('never takes over a launched job, however old', async () => {
    const jobId = freshJobId();
    const ledger = ledgerAt(T0);
    await ledger.claim(jobId, PROJECT);
    await ledger.recordLaunch(jobId, launch);

    const later = await ledgerAt(T0 + (STALE_CLAIM_SECONDS + 60) * 1000).claim(jobId, PROJECT);

    expect(later).toBe(false);
    expect((await readItem(jobId))?.state).toEqual({ S: 'launched' });
  });

  it.each(['running', 'success', 'canceled'])(
    'refuses the claim of a job the lifecycle consumer already recorded as %s (events out of order)',
    async (state) => {
      const jobId = freshJobId();
      const written = {
        jobId: { N: String(jobId) },
        state: { S: state },
        runnerId: { N: '9171' },
        expiresAt: { N: String(T0_SECONDS + JOB_ITEM_TTL_SECONDS) },
      };
      await dynamo().send(new PutItemCommand({ TableName: TABLE, Item: written }));

      const claimed = await ledgerAt(T0 + (STALE_CLAIM_SECONDS + 60) * 1000).claim(jobId, PROJECT);

      expect(claimed).toBe(false);
      expect(await readItem(jobId)).toEqual(written);
    },
  );
});

describe('job ledger: claims of lost jobs', () => {
  it('lets a claim win a job the reaper marked lost (its instance vanished before it ran)', async () => {
    const jobId = freshJobId();
    const lost = {
      jobId: { N: String(jobId) },
      state: { S: 'lost' },
      projectId: { N: String(PROJECT) },
      instanceId: { S: 'i-0123456789abcdef0' },
      runnerId: { N: '9171' },
      claimedAt: { N: String(T0_SECONDS) },
    };
    await dynamo().send(new PutItemCommand({ TableName: TABLE, Item: lost }));

    const claimed = await ledgerAt(T0 + 1000).claim(jobId, PROJECT);

    expect(claimed).toBe(true);
    expect(await readItem(jobId)).toEqual({
      jobId: { N: String(jobId) },
      state: { S: 'claimed' },
      projectId: { N: String(PROJECT) },
      claimedAt: { N: String(T0_SECONDS + 1) },
      expiresAt: { N: String(T0_SECONDS + 1 + JOB_ITEM_TTL_SECONDS) },
    });
  });

  it('lets exactly one of several concurrent claims of a lost job win', async () => {
    const jobId = freshJobId();
    await dynamo().send(
      new PutItemCommand({ TableName: TABLE, Item: { jobId: { N: String(jobId) }, state: { S: 'lost' } } }),
    );

    const results = await Promise.all([1, 2, 3].map(() => ledgerAt().claim(jobId, PROJECT)));

    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('lets the in-memory ledger claim a lost job too, and nothing else that is settled', async () => {
    const ledger = new InMemoryLedger(() => T0);
    ledger.items.set(1, { state: 'lost', projectId: PROJECT, expiresAt: 0 });
    ledger.items.set(2, { state: 'launched', projectId: PROJECT, expiresAt: 0 });

    expect([await ledger.claim(1, PROJECT), await ledger.claim(2, PROJECT)]).toEqual([true, false]);
    expect(ledger.items.get(1)?.state).toBe('claimed');
  });
});

describe('job ledger: launches and skips', () => {
  it('records the launch: instance, runner, pool and purchase option, state launched', async () => {
    const ledger = ledgerAt();
    const jobId = freshJobId();
    await ledger.claim(jobId, PROJECT);

    await ledger.recordLaunch(jobId, launch);

    expect(await readItem(jobId)).toEqual({
      jobId: { N: String(jobId) },
      projectId: { N: String(PROJECT) },
      state: { S: 'launched' },
      claimedAt: { N: String(T0_SECONDS) },
      launchedAt: { N: String(T0_SECONDS) },
      expiresAt: { N: String(T0_SECONDS + JOB_ITEM_TTL_SECONDS) },
      instanceId: { S: 'i-0123456789abcdef0' },
      runnerId: { N: '9171' },
      launchInstanceId: { S: 'i-0123456789abcdef0' },
      launchRunnerId: { N: '9171' },
      pool: { S: 'arm-docker' },
      lifecycle: { S: 'spot' },
    });
  });

  it('records a skip with its reason', async () => {
    const ledger = ledgerAt();
    const jobId = freshJobId();
    await ledger.claim(jobId, PROJECT);

    await ledger.recordSkip(jobId, 'status_running');

    expect(await readItem(jobId)).toMatchObject({
      state: { S: 'skipped' },
      skipReason: { S: 'status_running' },
    });
  });

  it('keeps a launched job when a release follows', async () => {
    const ledger = ledgerAt();
    const jobId = freshJobId();
    await ledger.claim(jobId, PROJECT);
    await ledger.recordLaunch(jobId, launch);

    await ledger.release(jobId);

    expect((await readItem(jobId))?.state).toEqual({ S: 'launched' });
    expect(await ledger.claim(jobId, PROJECT)).toBe(false);
  });

  it.each<[string, (ledger: JobLedger, jobId: number) => Promise<void>]>([
    ['a job nobody claimed', async () => undefined],
    [
      'a job launched already',
      async (ledger, jobId) => {
        await ledger.claim(jobId, PROJECT);
        await ledger.recordLaunch(jobId, launch);
      },
    ],
    [
      'a job skipped already',
      async (ledger, jobId) => {
        await ledger.claim(jobId, PROJECT);
        await ledger.recordSkip(jobId, 'status_canceled');
      },
    ],
  ])('refuses to record a launch for %s', async (_name, arrange) => {
    const ledger = ledgerAt();
    const jobId = freshJobId();
    await arrange(ledger, jobId);
    const before = await readItem(jobId);

    await expect(
      ledger.recordLaunch(jobId, { ...launch, instanceId: 'i-0fffffffffffffff0' }),
    ).rejects.toBeInstanceOf(JobMovedOnError);
    expect(await readItem(jobId)).toEqual(before);
  });
});

describe('job ledger: expiry', () => {
  it.each<[string, (ledger: JobLedger, jobId: number) => Promise<void>]>([
    ['claimed', async () => undefined],
    ['launched', (ledger, jobId) => ledger.recordLaunch(jobId, launch)],
    ['skipped', (ledger, jobId) => ledger.recordSkip(jobId, 'no_pool')],
  ])('gives a %s item expiresAt = now + JOB_ITEM_TTL_SECONDS, in epoch seconds', async (state, act) => {
    const ledger = ledgerAt();
    const jobId = freshJobId();
    await ledger.claim(jobId, PROJECT);

    await act(ledger, jobId);

    const item = await readItem(jobId);
    expect(item?.state).toEqual({ S: state });
    expect(item?.expiresAt).toEqual({ N: String(T0_SECONDS + JOB_ITEM_TTL_SECONDS) });
  });
});
