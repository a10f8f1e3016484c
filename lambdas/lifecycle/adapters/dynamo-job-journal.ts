import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { JOB_ITEM_TTL_SECONDS } from '../../shared/job-table/lifetimes';
import { JOB_TABLE_INSTANCE_INDEX, JOB_TABLE_LAUNCH_INDEX } from '../../shared/naming';
import type { JobJournal, Placement } from '../ports';
import { toJobRecord, toLaunchedRunner } from './job-item';

type Values = Record<string, AttributeValue>;

/** One conditional update: what to SET, and when. */
interface Update {
  readonly set: readonly string[];
  readonly condition: string;
  readonly values: Values;
}

/** Attribute names that are DynamoDB reserved words, by the placeholder expressions use for them. */
const RESERVED_NAMES: Readonly<Record<string, string>> = { '#state': 'state', '#pool': 'pool' };

const TRUE: AttributeValue = { BOOL: true };
const FALSE: AttributeValue = { BOOL: false };

/**
 * The production {@link JobJournal} on the job table scale-up claims jobs in (partition key
 * `jobId`, a number; TTL attribute `expiresAt`, in epoch seconds) and its global secondary indexes
 * (`JOB_TABLE_INSTANCE_INDEX` on `instanceId`, projection ALL; `JOB_TABLE_LAUNCH_INDEX` on
 * `launchInstanceId`, projecting `launchRunnerId` and `launchWarned`). Every write is conditional: status moves forward only
 * (claimed/launched/skipped → running → finished), so duplicate and out-of-order events leave the
 * same item.
 */
export function dynamoJobJournal(
  dynamo: DynamoDBClient,
  tableName: string,
  now: () => number = Date.now,
): JobJournal {
  const key = (jobId: number) => ({ jobId: { N: String(jobId) } });
  const seconds = () => Math.floor(now() / 1000);
  const stamp = () => ({ ':now': { N: String(seconds()) } });
  const expiry = () => ({ ':expires': { N: String(seconds() + JOB_ITEM_TTL_SECONDS) } });

  /** Applies `update`; false when its condition refused it. */
  async function apply(jobId: number, update: Update, returnOld = false): Promise<Values | false> {
    const expression = `SET ${update.set.join(', ')}`;
    // `state` and `pool` are reserved words; DynamoDB refuses a name placeholder no expression uses.
    const text = `${expression} ${update.condition}`;
    const names = Object.fromEntries(
      Object.entries(RESERVED_NAMES).filter(([placeholder]) => text.includes(placeholder)),
    );
    try {
      const output = await dynamo.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: key(jobId),
          UpdateExpression: expression,
          ConditionExpression: update.condition,
          ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: update.values,
          ReturnValues: returnOld ? 'ALL_OLD' : 'NONE',
        }),
      );
      return output.Attributes ?? {};
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  return {
    async get(jobId) {
      const { Item } = await dynamo.send(
        new GetItemCommand({ TableName: tableName, Key: key(jobId), ConsistentRead: true }),
      );
      return Item === undefined ? undefined : toJobRecord(Item);
    },
    async recordRunning(jobId, projectId, placement) {
      const old = await apply(
        jobId,
        {
          set: [
            '#state = :running',
            ...placementSet(),
            'runningAt = :now',
            'expiresAt = :expires',
            'projectId = if_not_exists(projectId, :project)',
            // A `lost` item the reaper cleaned up runs again: its new placement is not cleaned up.
            'cleanedUp = :false',
          ],
          // Created when absent: a `pending` delivered later must find the job taken. Only the
          // launcher's states, and `lost` (the reaper's mark for a job whose instance vanished,
          // which another runner may still take), move on to running; running and finished stay.
          condition: 'attribute_not_exists(jobId) OR #state IN (:claimed, :launched, :skipped, :lost)',
          values: {
            ':running': { S: 'running' },
            ':claimed': { S: 'claimed' },
            ':launched': { S: 'launched' },
            ':skipped': { S: 'skipped' },
            ':lost': { S: 'lost' },
            ':false': FALSE,
            ':project': { N: String(projectId) },
            ...placementValues(placement),
            ...stamp(),
            ...expiry(),
          },
        },
        true,
      );
      if (old === false) return { recorded: false, pool: undefined, launchedOn: undefined };
      return { recorded: true, pool: old.pool?.S, launchedOn: old.launchInstanceId?.S };
    },
    async recordFinished(jobId, projectId, status, placement) {
      const withPlacement = placement === undefined ? [] : [...placementSet(), 'cleanedUp = :true'];
      const done = await apply(jobId, {
        set: [
          '#state = :finished',
          'finishedStatus = :status',
          'finishedAt = :now',
          'expiresAt = :expires',
          'projectId = if_not_exists(projectId, :project)',
          ...withPlacement,
        ],
        condition: 'attribute_not_exists(jobId) OR #state <> :finished',
        values: {
          ':finished': { S: 'finished' },
          ':status': { S: status },
          ':project': { N: String(projectId) },
          ...(placement === undefined ? {} : { ...placementValues(placement), ':true': TRUE }),
          ...stamp(),
          ...expiry(),
        },
      });
      return done !== false;
    },
    async findByInstance(instanceId) {
      const items = await queryAll(dynamo, tableName, JOB_TABLE_INSTANCE_INDEX, 'instanceId', instanceId);
      return items.map(toJobRecord);
    },
    async findLaunchedOn(instanceId) {
      const items = await queryAll(dynamo, tableName, JOB_TABLE_LAUNCH_INDEX, 'launchInstanceId', instanceId);
      return items.map(toLaunchedRunner);
    },
    async markDisplaced(jobId, instanceId, sparePool) {
      const spare: Values = sparePool === undefined ? {} : { ':spare': { S: sparePool } };
      const old = await apply(
        jobId,
        {
          set: ['#state = :lost', 'displacedAt = :now'],
          // Still waiting for that instance: not running anywhere, not relaunched elsewhere.
          condition: `#state = :launched AND instanceId = :instance${sparePool === undefined ? '' : ' AND #pool <> :spare'}`,
          values: {
            ':lost': { S: 'lost' },
            ':launched': { S: 'launched' },
            ':instance': { S: instanceId },
            ...spare,
            ...stamp(),
          },
        },
        true,
      );
      if (old === false) return undefined;
      return toJobRecord(old).projectId;
    },
    async markLaunchWarned(jobId, instanceId) {
      // Idempotent; only the launch record of that instance (a relaunch moves it on).
      await apply(jobId, {
        // The first warning's time: the reaper leaves the instance's runner alone for a while after it.
        set: ['launchWarned = :true', 'launchWarnedAt = if_not_exists(launchWarnedAt, :now)'],
        condition: 'launchInstanceId = :instance',
        values: { ':instance': { S: instanceId }, ':true': TRUE, ...stamp() },
      });
    },
    async markInterrupted(jobId, instanceId) {
      const done = await apply(jobId, {
        set: ['interrupted = :true', 'interruptedAt = :now'],
        // Only a job that runs there, or failed there (GitLab fails a job whose runner vanished):
        // one that succeeded, was cancelled, or moved was not interrupted.
        condition:
          '(#state = :running OR (#state = :finished AND finishedStatus = :failed)) AND instanceId = :instance AND (attribute_not_exists(interrupted) OR interrupted = :false)',
        values: {
          ':running': { S: 'running' },
          ':finished': { S: 'finished' },
          ':failed': { S: 'failed' },
          ':instance': { S: instanceId },
          ':true': TRUE,
          ':false': FALSE,
          ...stamp(),
        },
      });
      return done !== false;
    },
    async markRetried(jobId, retriedJobId) {
      const retriedAs: Values =
        retriedJobId === undefined ? {} : { ':retriedAs': { N: String(retriedJobId) } };
      const done = await apply(jobId, {
        set: [
          'retried = :true',
          'retriedAt = :now',
          ...(retriedJobId === undefined ? [] : ['retriedJobId = :retriedAs']),
        ],
        // Once: the first record of the retry wins.
        condition: 'interrupted = :true AND (attribute_not_exists(retried) OR retried = :false)',
        values: { ':true': TRUE, ':false': FALSE, ...retriedAs, ...stamp() },
      });
      return done !== false;
    },
    async markCancelledForRetry(jobId) {
      // Idempotent: a redelivered message sets it again; only interrupted jobs carry it.
      await apply(jobId, {
        set: ['cancelledForRetry = :true', 'updatedAt = :now'],
        condition: 'interrupted = :true',
        values: { ':true': TRUE, ...stamp() },
      });
    },
  };
}

/** Every item of `index` whose `key` is `value`, page after page. */
async function queryAll(
  dynamo: DynamoDBClient,
  tableName: string,
  index: string,
  key: string,
  value: string,
): Promise<Values[]> {
  const items: Values[] = [];
  let ExclusiveStartKey: Values | undefined;
  do {
    // A global secondary index is eventually consistent: a write is usually visible within a
    // second. ConsistentRead is not available on it.
    const page = await dynamo.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: index,
        KeyConditionExpression: `${key} = :value`,
        ExpressionAttributeValues: { ':value': { S: value } },
        ExclusiveStartKey,
      }),
    );
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey !== undefined);
  return items;
}

function placementSet(): string[] {
  return ['instanceId = :instance', 'runnerId = :runner'];
}

function placementValues(placement: Placement): Values {
  return { ':instance': { S: placement.instanceId }, ':runner': { N: String(placement.runnerId) } };
}
