import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import {
  dynamoInterruptionLog,
  InterruptionLogContendedError,
} from '../../lambdas/shared/interruptions/dynamo-interruption-log';
import { INTERRUPTION_LOG_KEY } from '../../lambdas/shared/interruptions/keys';
import type { InterruptionLog } from '../../lambdas/shared/interruptions/port';
import { inMemoryInterruptionLog } from '../../sim/in-memory-interruption-log';
import { dynaliteServer } from '../support/dynalite-server';

const TABLE = 'spotlab-interruptions';
const T0 = Date.UTC(2026, 11, 2, 9, 0, 0);

const dynamo = dynaliteServer(async (client) => {
  await client.send(
    new CreateTableCommand({
      TableName: TABLE,
      AttributeDefinitions: [{ AttributeName: INTERRUPTION_LOG_KEY, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: INTERRUPTION_LOG_KEY, KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
});

let pools = 0;
/** A pool name no other test uses: the tests share one table. */
function freshPool(): string {
  pools += 1;
  return `pool-${pools}`;
}

const logs: [string, (now: () => number) => InterruptionLog][] = [
  ['DynamoDB (dynalite)', (now) => dynamoInterruptionLog(dynamo(), TABLE, now)],
  ['in memory', (now) => inMemoryInterruptionLog(now)],
];

describe.each(logs)('interruption log, %s', (_, make) => {
  it('keeps each pool its own interruptions, newest first', async () => {
    let now = T0;
    const log = make(() => now);
    const [a, b] = [freshPool(), freshPool()];

    await log.note(a, 'i-01');
    now += 60_000;
    await log.note(a, 'i-02');
    await log.note(b, 'i-03');

    const recent = await log.recent([a, b, freshPool()]);
    expect(recent.get(a)).toEqual([
      { instanceId: 'i-02', atMs: T0 + 60_000 },
      { instanceId: 'i-01', atMs: T0 },
    ]);
    expect(recent.get(b)?.map((noted) => noted.instanceId)).toEqual(['i-03']);
    expect(recent.size).toBe(2);
  });

  it('counts the same instance once and says the repeat was not new', async () => {
    const log = make(() => T0);
    const pool = freshPool();

    expect(await log.note(pool, 'i-0a')).toBe(true);
    expect(await log.note(pool, 'i-0a')).toBe(false);

    expect((await log.recent([pool])).get(pool)).toHaveLength(1);
  });

  it('loses no interruption when several are noted at once', async () => {
    const log = make(() => T0);
    const pool = freshPool();

    await Promise.all(['i-11', 'i-12', 'i-13'].map((id) => log.note(pool, id)));

    expect(
      (await log.recent([pool]))
        .get(pool)
        ?.map((noted) => noted.instanceId)
        .sort(),
    ).toEqual(['i-11', 'i-12', 'i-13']);
  });
});

describe('interruption log on DynamoDB: bounded retries', () => {
  it('gives up after 5 writes with a typed, retryable error when another writer keeps winning', async () => {
    const client = new DynamoDBClient({ region: 'eu-west-1' });
    const sdk = mockClient(client);
    sdk.on(GetItemCommand).resolves({
      Item: { pool: { S: 'arm-docker' }, version: { N: '7' }, recent: { L: [] } },
    });
    sdk
      .on(PutItemCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'version moved', $metadata: {} }));

    const noting = dynamoInterruptionLog(client, TABLE, () => T0).note('arm-docker', 'i-late');

    await expect(noting).rejects.toBeInstanceOf(InterruptionLogContendedError);
    await expect(noting).rejects.toMatchObject({ retryable: true });
    expect(sdk.commandCalls(PutItemCommand)).toHaveLength(5);
  });
});
