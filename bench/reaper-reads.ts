/**
 * Reaper read benchmark (issue 13): what one sweep reads of the job table when it holds 7 days of
 * history (items live 7 days, `JOB_ITEM_TTL_SECONDS`) at 2,000 and 20,000 jobs a day, with 50
 * instances alive, each running a job. The table is dynalite (a real DynamoDB implementation)
 * created with the stack's indexes (`test/support/job-table-schema.ts`).
 *
 * The live jobs are written through the production adapters (claim, launch, running), so the
 * open index holds what the writes put there; the history is one job finished and cleaned up
 * through the adapters, its item copied under 7 days of job ids by BatchWriteItem (25 a call: the
 * adapters' one-item-at-a-time writes would take minutes to load 140,000 items). A sweep reads the
 * open items (`dynamoSweepView(...).open()`); the old sweep's Scan is read too, for comparison.
 * dynalite loads about 300 items a second on this machine, so it holds 2,000 jobs a day by
 * default (`DYNALITE_JOBS_PER_DAY=2000,20000` loads 140,000 items too, in several minutes); the
 * in-memory table (the simulator's, with the same open set) holds both 2,000 and 20,000 a day.
 *
 * Last line: {"historyDays","instancesAlive","tables":[{"jobsPerDay","items","sweepItemsRead",
 * "sweepPages","scanItemsRead","scanPages"}],"inMemory":[{"jobsPerDay","items","sweepItemsRead"}]}.
 * `sweepItemsRead` must not grow with `jobsPerDay`.
 */
import type { Server } from 'node:http';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { dynamoJobJournal } from '../lambdas/shared/job-table/dynamo-journal';
import { dynamoJobLedger } from '../lambdas/shared/job-table/dynamo-ledger';
import { dynamoSweepView } from '../lambdas/shared/job-table/dynamo-sweep-view';
import { InMemoryJobTable } from '../sim/in-memory-job-table';
import { createJobTable } from '../test/support/job-table-schema';

const HISTORY_DAYS = 7;
const ALIVE = 50;
const PROJECT = 380;
const NOW = Date.UTC(2026, 10, 23, 9, 0, 0);

type Item = Record<string, AttributeValue>;

/** Counts the items and pages every Query and Scan answers. */
function countReads(client: DynamoDBClient) {
  const reads = { items: 0, pages: 0 };
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const count: unknown = Reflect.get(Object(result.output), 'Count');
      if (typeof count === 'number') {
        reads.pages += 1;
        reads.items += count;
      }
      return result;
    },
    { step: 'initialize', name: 'countReads' },
  );
  return reads;
}

async function loadHistory(client: DynamoDBClient, table: string, jobs: number, firstId: number) {
  const ledger = dynamoJobLedger(client, table, () => NOW);
  const journal = dynamoJobJournal(client, table, () => NOW);
  const at = { instanceId: 'i-0000000000000history', runnerId: 1 };
  // One job as the adapters leave it: launched, ran where it was launched, finished, cleaned up.
  await ledger.claim(firstId, PROJECT);
  await ledger.recordLaunch(firstId, { ...at, pool: 'arm-docker', lifecycle: 'spot' });
  await journal.recordRunning(firstId, PROJECT, at);
  await journal.recordFinished(firstId, PROJECT, 'success', at);
  const { Item } = await client.send(
    new GetItemCommand({ TableName: table, Key: { jobId: { N: String(firstId) } } }),
  );
  if (Item === undefined) throw new Error('the history job was not written');
  let batch: Item[] = [];
  const flush = async () => {
    let requests = batch.map((item) => ({ PutRequest: { Item: item } }));
    while (requests.length > 0) {
      const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: requests } }));
      requests = (out.UnprocessedItems?.[table] ?? []).flatMap((r) =>
        r.PutRequest?.Item === undefined ? [] : [{ PutRequest: { Item: r.PutRequest.Item } }],
      );
    }
    batch = [];
  };
  for (let id = firstId + 1; id < firstId + jobs; id += 1) {
    batch.push({ ...Item, jobId: { N: String(id) } });
    if (batch.length === 25) await flush();
  }
  await flush();
}

async function loadAlive(client: DynamoDBClient, table: string, firstId: number) {
  const ledger = dynamoJobLedger(client, table, () => NOW);
  const journal = dynamoJobJournal(client, table, () => NOW);
  for (let n = 0; n < ALIVE; n += 1) {
    const jobId = firstId + n;
    const at = { instanceId: `i-${(0xa11e0000 + n).toString(16).padStart(17, '0')}`, runnerId: 5000 + n };
    await ledger.claim(jobId, PROJECT);
    await ledger.recordLaunch(jobId, { ...at, pool: 'arm-docker', lifecycle: 'spot' });
    await journal.recordRunning(jobId, PROJECT, at);
  }
}

async function scanAll(client: DynamoDBClient, table: string) {
  let ExclusiveStartKey: Item | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey }));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey !== undefined);
}

async function measure(client: DynamoDBClient, jobsPerDay: number) {
  const table = `spotlab-jobs-${jobsPerDay}`;
  await createJobTable(client, table);
  const history = jobsPerDay * HISTORY_DAYS;
  await loadHistory(client, table, history, 9_000_000_000);
  await loadAlive(client, table, 9_100_000_000);
  const reads = countReads(client);
  const open = await dynamoSweepView(client, table, () => NOW).open();
  const sweep = { ...reads };
  await scanAll(client, table);
  client.middlewareStack.remove('countReads');
  if (open.length !== ALIVE) throw new Error(`the sweep read ${open.length} open items, not ${ALIVE}`);
  return {
    jobsPerDay,
    items: history + ALIVE,
    sweepItemsRead: sweep.items,
    sweepPages: sweep.pages,
    scanItemsRead: reads.items - sweep.items,
    scanPages: reads.pages - sweep.pages,
  };
}

/** The same history on the in-memory table (the simulator's), which keeps the same open set. */
async function measureInMemory(jobsPerDay: number) {
  const table = new InMemoryJobTable(() => NOW);
  const history = jobsPerDay * HISTORY_DAYS;
  for (let n = 0; n < history + ALIVE; n += 1) {
    const jobId = 9_000_000_000 + n;
    const at = { instanceId: `i-${n.toString(16).padStart(17, '0')}`, runnerId: 5000 + n };
    await table.ledger.claim(jobId, PROJECT);
    await table.ledger.recordLaunch(jobId, { ...at, pool: 'arm-docker', lifecycle: 'spot' });
    await table.journal.recordRunning(jobId, PROJECT, at);
    if (n < history) await table.journal.recordFinished(jobId, PROJECT, 'success', at);
  }
  const open = await table.sweep.open();
  return { jobsPerDay, items: table.items.size, sweepItemsRead: open.length };
}

async function main() {
  const server: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('dynalite has no TCP address');
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${address.port}`,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-real-secret' },
  });
  try {
    const perDay = (process.env.DYNALITE_JOBS_PER_DAY ?? '2000').split(',').map(Number);
    const tables = [];
    for (const jobsPerDay of perDay) {
      const started = Date.now();
      tables.push(await measure(client, jobsPerDay));
      process.stderr.write(`${jobsPerDay} jobs a day: loaded and read in ${Date.now() - started} ms\n`);
    }
    const inMemory = [];
    for (const jobsPerDay of [2000, 20000]) inMemory.push(await measureInMemory(jobsPerDay));
    const result = { historyDays: HISTORY_DAYS, instancesAlive: ALIVE, tables, inMemory };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

await main();
