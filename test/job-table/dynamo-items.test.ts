import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamoSweepView } from '../../lambdas/shared/job-table/dynamo-sweep-view';
import { JOB_ITEM_TTL_SECONDS } from '../../lambdas/shared/job-table/lifetimes';
import { JobItemError } from '../../lambdas/shared/job-table/record';
import { jobTable, PROJECT, T0, T0_SECONDS, TABLE } from '../support/job-table';

const { dynamo, fresh, journalAt, ledger, readItem, launchedItem } = jobTable();
const expires = { N: String(T0_SECONDS + JOB_ITEM_TTL_SECONDS) };

describe('job table on DynamoDB: the items the adapters write', () => {
  it('writes a launch: instance, runner, pool and purchase option, in whole epoch seconds, expiring in 7 days, in the open set', async () => {
    const { jobId, at } = fresh();

    await launchedItem(jobId, at);

    expect(await readItem(jobId)).toEqual({
      jobId: { N: String(jobId) },
      projectId: { N: String(PROJECT) },
      state: { S: 'launched' },
      claimedAt: { N: String(T0_SECONDS) },
      launchedAt: { N: String(T0_SECONDS) },
      expiresAt: expires,
      instanceId: { S: at.instanceId },
      runnerId: { N: '9100' },
      launchInstanceId: { S: at.instanceId },
      launchRunnerId: { N: '9100' },
      pool: { S: 'arm-docker' },
      lifecycle: { S: 'spot' },
      openShard: { N: '0' },
    });
  });

  it('writes a skip with its reason', async () => {
    const { jobId, at } = fresh();

    await launchedItem(jobId, at, 'skipped');

    expect(await readItem(jobId)).toMatchObject({
      state: { S: 'skipped' },
      skipReason: { S: 'status_running' },
      expiresAt: expires,
    });
  });

  it('writes a running job it never saw with its placement, not cleaned up, in the open set', async () => {
    const { jobId, at } = fresh();

    await journalAt().recordRunning(jobId, PROJECT, at);

    expect(await readItem(jobId)).toEqual({
      jobId: { N: String(jobId) },
      state: { S: 'running' },
      projectId: { N: String(PROJECT) },
      instanceId: { S: at.instanceId },
      runnerId: { N: '9100' },
      runningAt: { N: String(T0_SECONDS) },
      expiresAt: expires,
      cleanedUp: { BOOL: false },
      openShard: { N: '0' },
    });
  });

  it('writes a finished job with its status and end time', async () => {
    const { jobId, at } = fresh();

    await journalAt().recordFinished(jobId, PROJECT, 'failed', at);

    expect(await readItem(jobId)).toEqual({
      jobId: { N: String(jobId) },
      state: { S: 'finished' },
      finishedStatus: { S: 'failed' },
      finishedAt: { N: String(T0_SECONDS) },
      projectId: { N: String(PROJECT) },
      instanceId: { S: at.instanceId },
      runnerId: { N: '9100' },
      cleanedUp: { BOOL: true },
      expiresAt: expires,
    });
  });

  it('stamps displacement, interruption, retry and spot warning in epoch seconds', async () => {
    const { jobId, at } = fresh();
    await launchedItem(jobId, at);
    await journalAt().markLaunchWarned(jobId, at.instanceId);
    await journalAt().markDisplaced(jobId, at.instanceId, undefined);
    await journalAt().recordRunning(jobId, PROJECT, at);
    await journalAt().markInterrupted(jobId, at.instanceId);
    await journalAt().markRetried(jobId, jobId + 1);

    expect(await readItem(jobId)).toMatchObject({
      launchWarned: { BOOL: true },
      launchWarnedAt: { N: String(T0_SECONDS) },
      displacedAt: { N: String(T0_SECONDS) },
      interruptedAt: { N: String(T0_SECONDS) },
      retried: { BOOL: true },
      retriedJobId: { N: String(jobId + 1) },
    });
  });
});

describe('job table on DynamoDB: items no Spotlab writer wrote', () => {
  const put = (item: Record<string, { N: string } | { S: string }>) =>
    dynamo().send(new PutItemCommand({ TableName: TABLE, Item: item }));

  it.each<[string, (jobId: number) => Record<string, { N: string } | { S: string }>]>([
    ['without a state', (jobId) => ({ jobId: { N: String(jobId) } })],
    [
      'in a state this code does not know',
      (jobId) => ({ jobId: { N: String(jobId) }, state: { S: 'vanished' } }),
    ],
    [
      'with a runner id beyond 2^53',
      (jobId) => ({
        jobId: { N: String(jobId) },
        state: { S: 'running' },
        runnerId: { N: '9007199254740993' },
      }),
    ],
  ])('refuses to read an item %s', async (_case, item) => {
    const { jobId } = fresh();
    await put(item(jobId));

    await expect(journalAt().get(jobId)).rejects.toBeInstanceOf(JobItemError);
  });

  it('skips and reports among the open items one in an unknown state, and reads on', async () => {
    const problems: string[] = [];
    const { jobId, at } = fresh();
    await launchedItem(jobId, at);
    await put({ jobId: { N: String(jobId + 1) }, state: { S: 'vanished' }, openShard: { N: '0' } });

    const items = await dynamoSweepView(
      dynamo(),
      TABLE,
      () => T0,
      (p) => problems.push(p),
    ).open();

    expect(items.some((i) => i.jobId === jobId)).toBe(true);
    expect(items.some((i) => i.jobId === jobId + 1)).toBe(false);
    expect(problems).toContain('job item has an unexpected shape');
  });

  it('leaves an item in a state another writer added as it is, and refuses its claim', async () => {
    const { jobId, at } = fresh();
    const item = { jobId: { N: String(jobId) }, state: { S: 'vanished' } };
    await put(item);

    expect((await journalAt().recordRunning(jobId, PROJECT, at)).recorded).toBe(false);
    expect(await ledger().claim(jobId, PROJECT)).toBe(false);
    expect(await readItem(jobId)).toEqual(item);
  });
});
