import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { jobItemSchema } from '../../shared/job-table/item';
import { JOB_ITEM_TTL_SECONDS } from '../../shared/job-table/lifetimes';
import type { JobItem, JobTable } from '../ports';

type Values = Record<string, AttributeValue>;

/** The production {@link JobTable} on the job table (partition key `jobId`, a number). */
export function dynamoJobTable(
  dynamo: DynamoDBClient,
  tableName: string,
  now: () => number = Date.now,
  onBadItem: (problem: string) => void = () => undefined,
): JobTable {
  const key = (jobId: number) => ({ jobId: { N: String(jobId) } });

  /** Applies a conditional update; false when its condition refused it. */
  async function update(jobId: number, set: string, condition: string, values: Values): Promise<boolean> {
    try {
      await dynamo.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: key(jobId),
          UpdateExpression: set,
          ConditionExpression: condition,
          // `state` is a DynamoDB reserved word; a name placeholder no expression uses is refused.
          ...(`${set} ${condition}`.includes('#state')
            ? { ExpressionAttributeNames: { '#state': 'state' } }
            : {}),
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
  const stamp = (): Values => ({ ':now': { N: String(Math.floor(now() / 1000)) } });
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
          const item = toJobItem(raw);
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
      return update(jobId, 'SET cleanedUp = :true, cleanedUpAt = :now', notCleaned, {
        ':instance': { S: instanceId },
        ':true': { BOOL: true },
        ':false': { BOOL: false },
        ...stamp(),
      });
    },
    async markLaunchGone(jobId, launchInstanceId) {
      await update(
        jobId,
        'SET launchGoneAt = if_not_exists(launchGoneAt, :now)',
        'launchInstanceId = :instance',
        { ':instance': { S: launchInstanceId }, ...stamp() },
      );
    },
    markLaunchCleanedUp(jobId, launchInstanceId) {
      return update(
        jobId,
        'SET launchCleanedUp = :true',
        'launchInstanceId = :instance AND (attribute_not_exists(launchCleanedUp) OR launchCleanedUp = :false)',
        { ':instance': { S: launchInstanceId }, ':true': { BOOL: true }, ':false': { BOOL: false } },
      );
    },
    markLost(jobId, instanceId) {
      // Only a job still `launched` on that instance: once it runs anywhere it is not lost.
      return update(
        jobId,
        'SET #state = :lost, lostAt = :now, cleanedUp = :true, cleanedUpAt = :now',
        `#state = :launched AND ${notCleaned}`,
        {
          ':lost': { S: 'lost' },
          ':launched': { S: 'launched' },
          ':instance': { S: instanceId },
          ':true': { BOOL: true },
          ':false': { BOOL: false },
          ...stamp(),
        },
      );
    },
  };
}

/** A scanned item as a {@link JobItem}; undefined when it is not a job item or a number is unsafe. */
export function toJobItem(raw: Values): JobItem | undefined {
  const parsed = jobItemSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const i = parsed.data;
  // GitLab ids exceed 2^31 on GitLab.com; a JS number holds them exactly up to 2^53.
  const ids = [i.jobId.N, i.projectId?.N, i.runnerId?.N, i.launchRunnerId?.N]
    .filter((d) => d !== undefined)
    .map(Number);
  if (!ids.every(Number.isSafeInteger)) return undefined;
  // Every writer but recordLaunch moves `expiresAt` to its own time + TTL: a write time too.
  const written = i.expiresAt === undefined ? [] : [(Number(i.expiresAt.N) - JOB_ITEM_TTL_SECONDS) * 1000];
  const times = [i.claimedAt, i.launchedAt, i.runningAt, i.finishedAt].flatMap((t) =>
    t === undefined ? [] : [Number(t.N) * 1000],
  );
  times.push(...written);
  return {
    jobId: Number(i.jobId.N),
    state: i.state.S,
    projectId: i.projectId === undefined ? undefined : Number(i.projectId.N),
    instanceId: i.instanceId?.S,
    runnerId: i.runnerId === undefined ? undefined : Number(i.runnerId.N),
    launchInstanceId: i.launchInstanceId?.S,
    launchRunnerId: i.launchRunnerId === undefined ? undefined : Number(i.launchRunnerId.N),
    launchCleanedUp: i.launchCleanedUp?.BOOL === true,
    launchWarnedAtMs: i.launchWarnedAt === undefined ? undefined : Number(i.launchWarnedAt.N) * 1000,
    launchGoneAtMs: i.launchGoneAt === undefined ? undefined : Number(i.launchGoneAt.N) * 1000,
    cleanedUp: i.cleanedUp?.BOOL === true,
    touchedAtMs: times.length === 0 ? undefined : Math.max(...times),
  };
}
