import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { queryIndex } from './dynamo-query';
import {
  addRunnerDeleted,
  type ConditionalUpdate,
  FALSE,
  jobKey,
  LAUNCH_ELSEWHERE_OPEN,
  OPEN_SET,
  OPEN_VALUES,
  secondsOf,
  TRUE,
  updateJobIf,
  updateJobSettlingOpen,
  type Values,
} from './dynamo-update';
import {
  JOB_TABLE_INSTANCE_INDEX,
  JOB_TABLE_INSTANCE_KEY,
  JOB_TABLE_LAUNCH_INDEX,
  JOB_TABLE_LAUNCH_KEY,
} from './keys';
import { JOB_ITEM_TTL_SECONDS } from './lifetimes';
import { decodeJobItem, decodeLaunchIndexItem } from './record';
import type { JobJournal, Placement } from './views';

/**
 * The production {@link JobJournal} on the job table and its two indexes (`keys.ts`). Status moves
 * forward only (claimed/launched/skipped/lost → running → finished), so duplicate and
 * out-of-order events leave the same item.
 */
export function dynamoJobJournal(
  dynamo: DynamoDBClient,
  tableName: string,
  now: () => number = Date.now,
): JobJournal {
  const stamp = () => ({ ':now': { N: String(secondsOf(now)) } });
  const expiry = () => ({ ':expires': { N: String(secondsOf(now) + JOB_ITEM_TTL_SECONDS) } });
  const apply = (jobId: number, update: Parameters<typeof updateJobIf>[3]) =>
    updateJobIf(dynamo, tableName, jobId, update);

  return {
    async get(jobId) {
      const { Item } = await dynamo.send(
        new GetItemCommand({ TableName: tableName, Key: jobKey(jobId), ConsistentRead: true }),
      );
      return Item === undefined ? undefined : decodeJobItem(Item);
    },
    async recordRunning(jobId, projectId, placement) {
      const old = await apply(jobId, {
        set: [
          '#state = :running',
          ...placementSet(),
          'runningAt = :now',
          'expiresAt = :expires',
          'projectId = if_not_exists(projectId, :project)',
          // A `lost` item the reaper cleaned up runs again: its new placement is not cleaned up,
          // and the item is open (`needsReaper`) until it is.
          'cleanedUp = :false',
          OPEN_SET,
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
          ...OPEN_VALUES,
          ...stamp(),
          ...expiry(),
        },
        returnOld: true,
      });
      if (old === false) return { recorded: false, pool: undefined, launchedOn: undefined };
      return { recorded: true, pool: old.pool?.S, launchedOn: old.launchInstanceId?.S };
    },
    async recordFinished(jobId, projectId, status, placement) {
      const withPlacement = placement === undefined ? [] : [...placementSet(), 'cleanedUp = :true'];
      // Without a placement nothing `needsReaper` reads changes; with one, the item stays open
      // only for a launch record's runner elsewhere.
      const write =
        placement === undefined
          ? apply
          : (id: number, update: ConditionalUpdate) =>
              updateJobSettlingOpen(dynamo, tableName, id, update, LAUNCH_ELSEWHERE_OPEN);
      const done = await write(jobId, {
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
          ...(placement === undefined
            ? {}
            : { ...placementValues(placement), ':true': TRUE, ':false': FALSE }),
          ...stamp(),
          ...expiry(),
        },
      });
      return done !== false;
    },
    async findByInstance(instanceId) {
      const items = await queryIndex(dynamo, tableName, {
        index: JOB_TABLE_INSTANCE_INDEX,
        key: JOB_TABLE_INSTANCE_KEY,
        value: { S: instanceId },
      });
      return items.map(decodeJobItem);
    },
    async findLaunchedOn(instanceId) {
      const items = await queryIndex(dynamo, tableName, {
        index: JOB_TABLE_LAUNCH_INDEX,
        key: JOB_TABLE_LAUNCH_KEY,
        value: { S: instanceId },
      });
      return items.map(decodeLaunchIndexItem);
    },
    async markDisplaced(jobId, instanceId, sparePool) {
      const spare: Values = sparePool === undefined ? {} : { ':spare': { S: sparePool } };
      const old = await apply(jobId, {
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
        returnOld: true,
      });
      if (old === false) return undefined;
      return decodeJobItem(old).projectId;
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
    markRunnerDeleted(jobId, runnerId) {
      return addRunnerDeleted(dynamo, tableName, jobId, runnerId);
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

function placementSet(): string[] {
  return ['instanceId = :instance', 'runnerId = :runner'];
}

function placementValues(placement: Placement): Values {
  return { ':instance': { S: placement.instanceId }, ':runner': { N: String(placement.runnerId) } };
}
