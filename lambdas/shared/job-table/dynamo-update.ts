import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { JOB_TABLE_KEY } from './keys';

/** Attribute values as the SDK sends and returns them. */
export type Values = Record<string, AttributeValue>;

/** DynamoDB's boolean values. */
export const TRUE: AttributeValue = { BOOL: true };
export const FALSE: AttributeValue = { BOOL: false };

/** The job item's key. */
export function jobKey(jobId: number): Values {
  return { [JOB_TABLE_KEY]: { N: String(jobId) } };
}

/** One conditional update of a job item: what to SET, and when. */
export interface ConditionalUpdate {
  readonly set: readonly string[];
  /** The condition that enforces `states.ts`'s transitions for this write. */
  readonly condition: string;
  readonly values: Values;
  /** Name placeholders beyond the reserved words, by placeholder. */
  readonly names?: Readonly<Record<string, string>>;
  /** Return the item as it was before the update. */
  readonly returnOld?: boolean;
}

/** Attribute names that are DynamoDB reserved words, by the placeholder expressions use for them. */
const RESERVED_NAMES: Readonly<Record<string, string>> = { '#state': 'state', '#pool': 'pool' };

/**
 * Applies `update` to job `jobId` of `tableName`: the one write path of the three views' updates.
 * @returns the old item (empty unless `returnOld`); false when the condition refused the update.
 */
export async function updateJobIf(
  dynamo: DynamoDBClient,
  tableName: string,
  jobId: number,
  update: ConditionalUpdate,
): Promise<Values | false> {
  const expression = `SET ${update.set.join(', ')}`;
  // DynamoDB refuses a name placeholder no expression uses: pass only those the text names.
  const text = `${expression} ${update.condition}`;
  const names = Object.fromEntries(
    Object.entries({ ...RESERVED_NAMES, ...update.names }).filter(([placeholder]) =>
      text.includes(placeholder),
    ),
  );
  try {
    const output = await dynamo.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: jobKey(jobId),
        UpdateExpression: expression,
        ConditionExpression: update.condition,
        ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
        ExpressionAttributeValues: update.values,
        ...(update.returnOld === true ? { ReturnValues: 'ALL_OLD' } : {}),
      }),
    );
    return output.Attributes ?? {};
  } catch (error) {
    // The condition is the transition guard: a refusal is an answer, not a failure.
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/** Epoch seconds of `now()`: every time in the table is in whole seconds. */
export function secondsOf(now: () => number): number {
  return Math.floor(now() / 1000);
}
