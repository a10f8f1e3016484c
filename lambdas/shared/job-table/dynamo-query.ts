import { type AttributeValue, type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import type { Values } from './dynamo-update';

/** One index query: every item of `index` whose partition key `key` is `value`. */
export interface IndexQuery {
  readonly index: string;
  readonly key: string;
  readonly value: AttributeValue;
}

/**
 * Every item of an index query, page after page. A global secondary index is eventually
 * consistent (a write is usually visible within a second; ConsistentRead is not available on it),
 * so a reader that misses an item sees it on its next event or sweep.
 */
export async function queryIndex(
  dynamo: DynamoDBClient,
  tableName: string,
  query: IndexQuery,
): Promise<Values[]> {
  const items: Values[] = [];
  let ExclusiveStartKey: Values | undefined;
  do {
    const page = await dynamo.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: query.index,
        KeyConditionExpression: `${query.key} = :value`,
        ExpressionAttributeValues: { ':value': query.value },
        ExclusiveStartKey,
      }),
    );
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey !== undefined);
  return items;
}
