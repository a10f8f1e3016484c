import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { queryIndex } from './dynamo-query';
import { readStates } from './dynamo-states';
import {
  addRunnerDeleted,
  FALSE,
  LAUNCH_ELSEWHERE_OPEN,
  PLACEMENT_OPEN,
  secondsOf,
  TRUE,
  updateJobIf,
  updateJobSettlingOpen,
  type Values,
} from './dynamo-update';
import { JOB_TABLE_OPEN_INDEX, JOB_TABLE_OPEN_KEY, JOB_TABLE_OPEN_SHARD } from './keys';
import { decodeJobItem, JobItemError } from './record';
import type { JobItem, JobSweepView } from './views';

/**
 * The production {@link JobSweepView}. An item that does not decode (another writer's, an unknown
 * state) is left out of a sweep's read and reported through `onBadItem`, so one bad item never stops a
 * sweep.
 */
export function dynamoSweepView(
  dynamo: DynamoDBClient,
  tableName: string,
  now: () => number = Date.now,
  onBadItem: (problem: string) => void = () => undefined,
): JobSweepView {
  const update = async (jobId: number, set: string, condition: string, values: Values) =>
    (await updateJobIf(dynamo, tableName, jobId, { set: [set], condition, values })) !== false;
  // A cleanup closes the item unless something else it names still waits (`needsReaper`).
  const settle = async (jobId: number, set: string, condition: string, values: Values, stillOpen: string) =>
    (await updateJobSettlingOpen(dynamo, tableName, jobId, { set: [set], condition, values }, stillOpen)) !==
    false;
  const stamp = (): Values => ({ ':now': { N: String(secondsOf(now)) } });
  const notCleaned = 'instanceId = :instance AND (attribute_not_exists(cleanedUp) OR cleanedUp = :false)';

  return {
    async open() {
      // The sparse index holds only the items `needsReaper` keeps (`keys.ts`): a sweep reads what
      // is alive (about one item per live instance or unfinished job), not the week of history
      // the table keeps.
      const raw = await queryIndex(dynamo, tableName, {
        index: JOB_TABLE_OPEN_INDEX,
        key: JOB_TABLE_OPEN_KEY,
        value: { N: String(JOB_TABLE_OPEN_SHARD) },
      });
      const items: JobItem[] = [];
      for (const one of raw) {
        const item = decodeOrSkip(one);
        if (item === undefined) onBadItem('job item has an unexpected shape');
        else items.push(item);
      }
      return items;
    },
    statesOf(jobIds) {
      return readStates(dynamo, tableName, jobIds, onBadItem);
    },
    markCleanedUp(jobId, instanceId) {
      // The item may have moved on since the scan (the lifecycle consumer cleaned up, or the job
      // now runs elsewhere): the condition leaves such an item alone.
      return settle(
        jobId,
        'cleanedUp = :true, cleanedUpAt = :now',
        notCleaned,
        { ':instance': { S: instanceId }, ':true': TRUE, ':false': FALSE, ...stamp() },
        LAUNCH_ELSEWHERE_OPEN,
      );
    },
    async markLaunchGone(jobId, launchInstanceId) {
      await update(
        jobId,
        'launchGoneAt = if_not_exists(launchGoneAt, :now)',
        'launchInstanceId = :instance',
        {
          ':instance': { S: launchInstanceId },
          ...stamp(),
        },
      );
    },
    markRunnerDeleted(jobId, runnerId) {
      return addRunnerDeleted(dynamo, tableName, jobId, runnerId);
    },
    markLaunchCleanedUp(jobId, launchInstanceId) {
      return settle(
        jobId,
        'launchCleanedUp = :true',
        'launchInstanceId = :instance AND (attribute_not_exists(launchCleanedUp) OR launchCleanedUp = :false)',
        { ':instance': { S: launchInstanceId }, ':true': TRUE, ':false': FALSE },
        PLACEMENT_OPEN,
      );
    },
    markLost(jobId, instanceId) {
      // Only a job still `launched` on that instance: once it runs anywhere it is not lost.
      return settle(
        jobId,
        '#state = :lost, lostAt = :now, cleanedUp = :true, cleanedUpAt = :now',
        `#state = :launched AND ${notCleaned}`,
        {
          ':lost': { S: 'lost' },
          ':launched': { S: 'launched' },
          ':instance': { S: instanceId },
          ':true': TRUE,
          ':false': FALSE,
          ...stamp(),
        },
        LAUNCH_ELSEWHERE_OPEN,
      );
    },
  };
}

/** A read item as a {@link JobItem}; undefined when it is not one Spotlab wrote. */
export function decodeOrSkip(raw: Values): JobItem | undefined {
  try {
    return decodeJobItem(raw);
  } catch (error) {
    if (error instanceof JobItemError) return undefined;
    throw error;
  }
}
