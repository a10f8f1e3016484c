import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { JOB_TABLE_KEY, JOB_TABLE_OPEN_KEY, JOB_TABLE_OPEN_SHARD } from './keys';

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
  /** Attributes to REMOVE. */
  readonly remove?: readonly string[];
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
  const removed = update.remove ?? [];
  const expression = `SET ${update.set.join(', ')}${removed.length > 0 ? ` REMOVE ${removed.join(', ')}` : ''}`;
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

/** The SET clause and value that put an item into the open set (`keys.ts`). */
export const OPEN_SET = `${JOB_TABLE_OPEN_KEY} = :openShard`;
export const OPEN_VALUES: Values = { ':openShard': { N: String(JOB_TABLE_OPEN_SHARD) } };

/**
 * `needsReaper` of an item whose placement on `:instance` is being cleaned up: its launch record's
 * runner, on another instance, is not cleaned up yet. Uses `:instance` and `:false`.
 */
export const LAUNCH_ELSEWHERE_OPEN =
  'attribute_exists(launchInstanceId) AND launchInstanceId <> :instance AND (attribute_not_exists(launchCleanedUp) OR launchCleanedUp = :false)';

/**
 * `needsReaper` of an item whose launch record's runner is being cleaned up: its own placement is
 * not cleaned up yet. Uses `:false`.
 */
export const PLACEMENT_OPEN =
  'attribute_exists(instanceId) AND (attribute_not_exists(cleanedUp) OR cleanedUp = :false)';

/**
 * Applies `update`, then leaves the item in the open set or takes it out, as `stillOpen` (a
 * condition on the item as it is before the update) says: an update expression cannot branch on
 * the item, so the closing write is tried first, guarded by `NOT stillOpen` (the common case: a
 * job cleaned up where it was launched), and the write that keeps the item open only when that
 * guard refused. Each attempt is one conditional write; the second happens only for an item that
 * stays open, or when `update.condition` refuses both.
 * @returns as {@link updateJobIf}.
 */
export async function updateJobSettlingOpen(
  dynamo: DynamoDBClient,
  tableName: string,
  jobId: number,
  update: ConditionalUpdate,
  stillOpen: string,
): Promise<Values | false> {
  const closed = await updateJobIf(dynamo, tableName, jobId, {
    ...update,
    remove: [...(update.remove ?? []), JOB_TABLE_OPEN_KEY],
    condition: `(${update.condition}) AND NOT (${stillOpen})`,
  });
  if (closed !== false) return closed;
  return updateJobIf(dynamo, tableName, jobId, {
    ...update,
    set: [...update.set, OPEN_SET],
    condition: `(${update.condition}) AND (${stillOpen})`,
    values: { ...update.values, ...OPEN_VALUES },
  });
}

/**
 * Adds `runnerId` to the item's `runnersDeleted` number set (ADD is idempotent). The condition
 * keeps an expired or never-written item from being created by the mark.
 */
export async function addRunnerDeleted(
  dynamo: DynamoDBClient,
  tableName: string,
  jobId: number,
  runnerId: number,
): Promise<void> {
  try {
    await dynamo.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: jobKey(jobId),
        UpdateExpression: 'ADD runnersDeleted :runner',
        ConditionExpression: `attribute_exists(${JOB_TABLE_KEY})`,
        ExpressionAttributeValues: { ':runner': { NS: [String(runnerId)] } },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

/** Epoch seconds of `now()`: every time in the table is in whole seconds. */
export function secondsOf(now: () => number): number {
  return Math.floor(now() / 1000);
}
