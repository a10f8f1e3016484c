import { type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { FALSE, secondsOf, TRUE, updateJobIf, type Values } from './dynamo-update';
import { decodeJobItem, JobItemError } from './record';
import type { JobItem, JobSweepView } from './views';

/**
 * The production {@link JobSweepView}. An item that does not decode (another writer's, an unknown
 * state) is left out of the scan and reported through `onBadItem`, so one bad item never stops a
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
  const stamp = (): Values => ({ ':now': { N: String(secondsOf(now)) } });
  const notCleaned = 'instanceId = :instance AND (attribute_not_exists(cleanedUp) OR cleanedUp = :false)';

  return {
    async scan() {
      const items: JobItem[] = [];
      let ExclusiveStartKey: Values | undefined;
      do {
        // One Scan serves both halves of the sweep: items to clean up, and which pending jobs have
        // an item at all. The table holds ~7 days of jobs (TTL), a few pages for most teams.
        const page = await dynamo.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey }));
        for (const raw of page.Items ?? []) {
          const item = decodeOrSkip(raw);
          if (item === undefined) onBadItem('job item has an unexpected shape');
          else items.push(item);
        }
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey !== undefined);
      return items;
    },
    markCleanedUp(jobId, instanceId) {
      // The item may have moved on since the scan (the lifecycle consumer cleaned up, or the job
      // now runs elsewhere): the condition leaves such an item alone.
      return update(jobId, 'cleanedUp = :true, cleanedUpAt = :now', notCleaned, {
        ':instance': { S: instanceId },
        ':true': TRUE,
        ':false': FALSE,
        ...stamp(),
      });
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
    markLaunchCleanedUp(jobId, launchInstanceId) {
      return update(
        jobId,
        'launchCleanedUp = :true',
        'launchInstanceId = :instance AND (attribute_not_exists(launchCleanedUp) OR launchCleanedUp = :false)',
        { ':instance': { S: launchInstanceId }, ':true': TRUE, ':false': FALSE },
      );
    },
    markLost(jobId, instanceId) {
      // Only a job still `launched` on that instance: once it runs anywhere it is not lost.
      return update(
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
      );
    },
  };
}

/** A scanned item as a {@link JobItem}; undefined when it is not one Spotlab wrote. */
export function decodeOrSkip(raw: Values): JobItem | undefined {
  try {
    return decodeJobItem(raw);
  } catch (error) {
    if (error instanceof JobItemError) return undefined;
    throw error;
  }
}
