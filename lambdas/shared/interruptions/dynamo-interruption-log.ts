import {
  type AttributeValue,
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import * as z from 'zod/mini';
import { TransientError } from '../errors';
import { KEPT_INTERRUPTION_MS, type NotedInterruption, withInterruption } from './cool-down';
import { INTERRUPTION_LOG_KEY, INTERRUPTION_LOG_TTL_ATTRIBUTE } from './keys';
import type { InterruptionLog } from './port';

/** Another writer kept changing the pool's item: the message is retried (SQS redelivers it). */
export class InterruptionLogContendedError extends TransientError {
  override readonly name = 'InterruptionLogContendedError';
}

// Interruptions come in waves, so two lifecycle invocations may note the same pool at once; each
// write is conditional on the version read, and a few re-reads settle any realistic wave. The
// same bound caps BatchGetItem's re-asks for unprocessed keys.
const ATTEMPTS = 5;
// BatchGetItem takes at most 100 keys; a stack has far fewer pools.
const BATCH_KEYS = 100;

const number = z.object({ N: z.string() });
const itemSchema = z.object({
  pool: z.object({ S: z.string() }),
  version: number,
  recent: z.object({
    L: z.array(z.object({ M: z.object({ instanceId: z.object({ S: z.string() }), atMs: number }) })),
  }),
});

interface Stored {
  readonly version: number;
  readonly recent: NotedInterruption[];
}

function decode(item: Record<string, AttributeValue>): Stored {
  const parsed = itemSchema.parse(item);
  return {
    version: Number(parsed.version.N),
    recent: parsed.recent.L.map(({ M }) => ({ instanceId: M.instanceId.S, atMs: Number(M.atMs.N) })),
  };
}

/** The production {@link InterruptionLog} on DynamoDB: one item per pool, written conditionally. */
export function dynamoInterruptionLog(
  dynamo: DynamoDBClient,
  tableName: string,
  now: () => number = Date.now,
): InterruptionLog {
  const read = async (pool: string): Promise<Stored | undefined> => {
    const { Item } = await dynamo.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { [INTERRUPTION_LOG_KEY]: { S: pool } },
        ConsistentRead: true,
      }),
    );
    return Item === undefined ? undefined : decode(Item);
  };
  const write = async (pool: string, before: Stored | undefined, recent: NotedInterruption[]) => {
    const newest = recent[0]?.atMs ?? 0;
    try {
      await dynamo.send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            [INTERRUPTION_LOG_KEY]: { S: pool },
            version: { N: String((before?.version ?? 0) + 1) },
            recent: {
              L: recent.map((noted) => ({
                M: { instanceId: { S: noted.instanceId }, atMs: { N: String(noted.atMs) } },
              })),
            },
            [INTERRUPTION_LOG_TTL_ATTRIBUTE]: {
              N: String(Math.ceil((newest + KEPT_INTERRUPTION_MS) / 1000)),
            },
          },
          ConditionExpression: before === undefined ? 'attribute_not_exists(#key)' : 'version = :version',
          ...(before === undefined
            ? { ExpressionAttributeNames: { '#key': INTERRUPTION_LOG_KEY } }
            : { ExpressionAttributeValues: { ':version': { N: String(before.version) } } }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  };
  return {
    async note(pool, instanceId) {
      const entry = { instanceId, atMs: now() };
      for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
        const before = await read(pool);
        const recent = withInterruption(before?.recent ?? [], entry);
        if (recent === undefined) return false;
        if (await write(pool, before, recent)) return true;
      }
      throw new InterruptionLogContendedError(`pool ${pool}: interruption log changed ${ATTEMPTS} times`);
    },
    async recent(pools) {
      const found = new Map<string, readonly NotedInterruption[]>();
      const unique = [...new Set(pools)];
      for (let start = 0; start < unique.length; start += BATCH_KEYS) {
        let keys: Record<string, AttributeValue>[] = unique
          .slice(start, start + BATCH_KEYS)
          .map((pool) => ({ [INTERRUPTION_LOG_KEY]: { S: pool } }));
        // BatchGetItem may answer part of the keys (UnprocessedKeys) under throttling: ask again,
        // a bounded number of times; the SDK already backs off each call.
        for (let attempt = 0; keys.length > 0 && attempt < ATTEMPTS; attempt += 1) {
          const answer = await dynamo.send(
            new BatchGetItemCommand({ RequestItems: { [tableName]: { Keys: keys } } }),
          );
          for (const item of answer.Responses?.[tableName] ?? []) {
            const pool = item[INTERRUPTION_LOG_KEY]?.S;
            if (pool !== undefined) found.set(pool, decode(item).recent);
          }
          keys = answer.UnprocessedKeys?.[tableName]?.Keys ?? [];
        }
        if (keys.length > 0) throw new InterruptionLogContendedError('interruption log reads were throttled');
      }
      return found;
    },
  };
}
