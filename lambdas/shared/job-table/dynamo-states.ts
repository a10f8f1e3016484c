import {
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  type DynamoDBClient,
  type KeysAndAttributes,
} from '@aws-sdk/client-dynamodb';
import * as z from 'zod/mini';
import { jobKey, type Values } from './dynamo-update';
import { JOB_STATES, type JobState } from './states';

/** BatchGetItem reads at most 100 keys a call. */
const BATCH_KEYS = 100;

/** Rounds of retrying the keys DynamoDB left unprocessed (it does so when throttled or over 16 MB). */
const UNPROCESSED_ROUNDS = 5;

const stateItemSchema = z.object({
  jobId: z.object({ N: z.string().check(z.regex(/^\d+$/)) }),
  state: z.object({ S: z.enum(JOB_STATES) }),
});

/**
 * The states of the items of `jobIds` that exist, read by key (BatchGetItem, eventually
 * consistent, projecting only the key and the state): what a sweep asks of items outside the open
 * set, so its reads grow with the jobs it asks about, not with the table. An item that does not
 * decode is left out and reported through `onBadItem`.
 * @throws the SDK's error, or an Error when keys stay unprocessed after several rounds.
 */
export async function readStates(
  dynamo: DynamoDBClient,
  tableName: string,
  jobIds: readonly number[],
  onBadItem: (problem: string) => void,
): Promise<ReadonlyMap<number, JobState>> {
  const states = new Map<number, JobState>();
  const unique = [...new Set(jobIds)];
  for (let start = 0; start < unique.length; start += BATCH_KEYS) {
    let request: Record<string, KeysAndAttributes> | undefined = {
      [tableName]: {
        Keys: unique.slice(start, start + BATCH_KEYS).map(jobKey),
        ProjectionExpression: 'jobId, #state',
        ExpressionAttributeNames: { '#state': 'state' },
      },
    };
    for (let round = 0; request !== undefined; round += 1) {
      if (round === UNPROCESSED_ROUNDS) throw new Error('job states stayed unprocessed');
      const answer: BatchGetItemCommandOutput = await dynamo.send(
        new BatchGetItemCommand({ RequestItems: request }),
      );
      for (const raw of answer.Responses?.[tableName] ?? []) record(raw, states, onBadItem);
      const left: KeysAndAttributes | undefined = answer.UnprocessedKeys?.[tableName];
      request = left?.Keys !== undefined && left.Keys.length > 0 ? { [tableName]: left } : undefined;
    }
  }
  return states;
}

function record(raw: Values, states: Map<number, JobState>, onBadItem: (problem: string) => void): void {
  const parsed = stateItemSchema.safeParse(raw);
  if (parsed.success) states.set(Number(parsed.data.jobId.N), parsed.data.state.S);
  else onBadItem('job item has an unexpected shape');
}
