import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import * as z from 'zod/mini';
import { jobKey } from './dynamo-update';
import { type WarmRegistry, warmItemKey } from './warm-registry';

const timesSchema = z.record(z.string(), z.object({ N: z.string().check(z.regex(/^\d+$/)) }));
const warmItemSchema = z.looseObject({
  warmReady: z.optional(z.object({ M: timesSchema })),
  warmClaimed: z.optional(z.object({ M: timesSchema })),
});

function times(map: z.infer<typeof timesSchema> | undefined): Map<string, number> {
  return new Map(Object.entries(map ?? {}).map(([id, value]) => [id, Number(value.N)]));
}

/** `#i0`, `#i1`, …: instance ids as map keys go through name placeholders (they contain `-`). */
function placeholders(instanceIds: readonly string[]): Record<string, string> {
  return Object.fromEntries(instanceIds.map((id, index) => [`#i${index}`, id]));
}

/** The production {@link WarmRegistry}: one job-table item per pool (see `warmItemKey`). */
export function dynamoWarmRegistry(dynamo: DynamoDBClient, tableName: string): WarmRegistry {
  const update = (pool: string, expression: string, extra: Partial<UpdateItemCommand['input']> = {}) =>
    dynamo.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: jobKey(warmItemKey(pool)),
        UpdateExpression: expression,
        ...extra,
      }),
    );
  return {
    async roster(pool) {
      const output = await dynamo.send(
        new GetItemCommand({ TableName: tableName, Key: jobKey(warmItemKey(pool)), ConsistentRead: true }),
      );
      const item = z.parse(warmItemSchema, output.Item ?? {});
      return { ready: times(item.warmReady?.M), claimed: times(item.warmClaimed?.M) };
    },
    async addReady(pool, instanceIds, launchedAtMs) {
      if (instanceIds.length === 0) return;
      // A nested path can be set only inside a map that exists: create both maps first.
      await update(
        pool,
        'SET warmPool = :pool, warmReady = if_not_exists(warmReady, :empty), warmClaimed = if_not_exists(warmClaimed, :empty)',
        {
          ExpressionAttributeValues: { ':pool': { S: pool }, ':empty': { M: {} } },
        },
      );
      const names = placeholders(instanceIds);
      await update(
        pool,
        `SET ${Object.keys(names)
          .map((name) => `warmReady.${name} = :at`)
          .join(', ')}`,
        {
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ':at': { N: String(launchedAtMs) } },
        },
      );
    },
    async claim(pool, instanceId, claimedAtMs) {
      try {
        // The condition is the claim: of two invocations taking one instance, one write fails.
        await update(pool, 'REMOVE warmReady.#i SET warmClaimed.#i = :at', {
          ConditionExpression: 'attribute_exists(warmReady.#i)',
          ExpressionAttributeNames: { '#i': instanceId },
          ExpressionAttributeValues: { ':at': { N: String(claimedAtMs) } },
        });
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },
    async forget(pool, instanceIds) {
      if (instanceIds.length === 0) return;
      const names = placeholders(instanceIds);
      const paths = Object.keys(names).flatMap((name) => [`warmReady.${name}`, `warmClaimed.${name}`]);
      // Only for instances a roster listed, so both maps exist; removing an absent key is a no-op.
      await update(pool, `REMOVE ${paths.join(', ')}`, {
        ConditionExpression: 'attribute_exists(warmReady) AND attribute_exists(warmClaimed)',
        ExpressionAttributeNames: names,
      }).catch((error: unknown) => {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      });
    },
  };
}
