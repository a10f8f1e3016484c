import type { Server } from 'node:http';
import {
  type AttributeValue,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll } from 'vitest';
import { dynamoJobJournal } from '../../lambdas/shared/job-table/dynamo-journal';
import { dynamoJobLedger } from '../../lambdas/shared/job-table/dynamo-ledger';
import {
  JOB_TABLE_INSTANCE_INDEX,
  JOB_TABLE_INSTANCE_KEY,
  JOB_TABLE_KEY,
  JOB_TABLE_LAUNCH_INDEX,
  JOB_TABLE_LAUNCH_KEY,
  JOB_TABLE_LAUNCH_PROJECTION,
  JOB_TABLE_OPEN_INDEX,
  JOB_TABLE_OPEN_KEY,
  JOB_TABLE_OPEN_PROJECTION,
} from '../../lambdas/shared/job-table/keys';
import type { JobJournal, Placement } from '../../lambdas/shared/job-table/views';

export const TABLE = 'spotlab-jobs';

export const PROJECT = 380;
// 2026-11-23T09:00:00.750Z: a fraction of a second, to show times are stored in whole seconds.
export const T0 = Date.UTC(2026, 10, 23, 9, 0, 0, 750);
export const T0_SECONDS = Math.floor(T0 / 1000);

/**
 * The job table as the stack creates it, with the lifecycle consumer's two indexes and the reaper's open one, on a
 * dynalite started before the file's tests and stopped after them.
 */
export function jobTable() {
  let server: Server | undefined;
  let client: DynamoDBClient | undefined;

  beforeAll(async () => {
    server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    const listening = server;
    await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
    const address = listening.address();
    if (address === null || typeof address === 'string') throw new Error('dynalite has no TCP address');
    client = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${address.port}`,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-real-secret' },
    });
    await client.send(
      new CreateTableCommand({
        TableName: TABLE,
        AttributeDefinitions: [
          { AttributeName: JOB_TABLE_KEY, AttributeType: 'N' },
          { AttributeName: JOB_TABLE_INSTANCE_KEY, AttributeType: 'S' },
          { AttributeName: JOB_TABLE_LAUNCH_KEY, AttributeType: 'S' },
          { AttributeName: JOB_TABLE_OPEN_KEY, AttributeType: 'N' },
        ],
        KeySchema: [{ AttributeName: JOB_TABLE_KEY, KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [
          {
            IndexName: JOB_TABLE_INSTANCE_INDEX,
            KeySchema: [{ AttributeName: JOB_TABLE_INSTANCE_KEY, KeyType: 'HASH' }],
            Projection: { ProjectionType: 'ALL' },
          },
          {
            IndexName: JOB_TABLE_LAUNCH_INDEX,
            KeySchema: [{ AttributeName: JOB_TABLE_LAUNCH_KEY, KeyType: 'HASH' }],
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...JOB_TABLE_LAUNCH_PROJECTION] },
          },
          {
            IndexName: JOB_TABLE_OPEN_INDEX,
            KeySchema: [{ AttributeName: JOB_TABLE_OPEN_KEY, KeyType: 'HASH' }],
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...JOB_TABLE_OPEN_PROJECTION] },
          },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: TABLE }));
      if (Table?.TableStatus === 'ACTIVE') return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`${TABLE} never became ACTIVE`);
  });

  afterAll(async () => {
    client?.destroy();
    const stopping = server;
    if (stopping !== undefined)
      await new Promise<void>((resolve, reject) =>
        stopping.close((error) => (error ? reject(error) : resolve())),
      );
  });

  const dynamo = (): DynamoDBClient => {
    if (client === undefined) throw new Error('the job table is not started');
    return client;
  };

  // GitLab.com job ids are above 2^31; each test takes its own job and instance ids so they share one table.
  let last = 9_000_000_000;
  const hex = (n: number) => `i-${n.toString(16).padStart(17, '0')}`;

  return {
    dynamo,
    /** A job id no other test uses, and two instances: one it was launched for, one elsewhere. */
    fresh(): { jobId: number; at: Placement; elsewhere: Placement } {
      last += 2;
      return {
        jobId: last,
        at: { instanceId: hex(last), runnerId: 9100 },
        elsewhere: { instanceId: hex(last + 1), runnerId: 9200 },
      };
    },
    /** The journal as an invocation at `nowMs` would see it. */
    journalAt: (nowMs: number = T0): JobJournal => dynamoJobJournal(dynamo(), TABLE, () => nowMs),
    /** Scale-up's side of the same table. */
    ledger: () => dynamoJobLedger(dynamo(), TABLE, () => T0),
    async readItem(jobId: number): Promise<Record<string, AttributeValue> | undefined> {
      const { Item } = await dynamo().send(
        new GetItemCommand({ TableName: TABLE, Key: { jobId: { N: String(jobId) } }, ConsistentRead: true }),
      );
      return Item;
    },
    /** A job in `state`, launched for `at`, as scale-up writes it. */
    async launchedItem(jobId: number, at: Placement, state = 'launched'): Promise<void> {
      const ledger = dynamoJobLedger(dynamo(), TABLE, () => T0);
      await ledger.claim(jobId, PROJECT);
      if (state === 'claimed') return;
      if (state === 'skipped') return ledger.recordSkip(jobId, 'status_running');
      await ledger.recordLaunch(jobId, { ...at, pool: 'arm-docker', lifecycle: 'spot' });
    },
  };
}
