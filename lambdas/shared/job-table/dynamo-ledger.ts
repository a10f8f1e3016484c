import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { jobKey, secondsOf, updateJobIf, type Values } from './dynamo-update';
import { JOB_TABLE_OPEN_KEY, JOB_TABLE_OPEN_SHARD } from './keys';
import { JOB_ITEM_TTL_SECONDS, STALE_CLAIM_SECONDS } from './lifetimes';
import type { JobState } from './states';
import { type JobLedger, JobMovedOnError, type LaunchRecord } from './views';

/**
 * The production {@link JobLedger} on DynamoDB. Every write is conditional, which is what makes a
 * job launch at most once across concurrent invocations, redeliveries and out-of-order events.
 */
export function dynamoJobLedger(
  dynamo: DynamoDBClient,
  tableName: string,
  now: () => number = Date.now,
): JobLedger {
  const seconds = () => secondsOf(now);
  return {
    async claim(jobId, projectId) {
      try {
        await dynamo.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              ...jobKey(jobId),
              projectId: { N: String(projectId) },
              state: { S: 'claimed' },
              claimedAt: { N: String(seconds()) },
              expiresAt: { N: String(seconds() + JOB_ITEM_TTL_SECONDS) },
            },
            // Any other item (launched, skipped, or written by the lifecycle consumer because a
            // later status arrived first) means this job must not launch. A `lost` job's instance
            // went away before it ran (the reaper cleaned up after it): its demand may launch again.
            ConditionExpression:
              'attribute_not_exists(jobId) OR #state = :lost OR (#state = :claimed AND claimedAt < :stale)',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: {
              ':claimed': { S: 'claimed' },
              ':lost': { S: 'lost' },
              ':stale': { N: String(seconds() - STALE_CLAIM_SECONDS) },
            },
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },
    async release(jobId) {
      try {
        await dynamo.send(
          new DeleteItemCommand({
            TableName: tableName,
            Key: jobKey(jobId),
            ConditionExpression: '#state = :claimed',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':claimed': { S: 'claimed' } },
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },
    async recordLaunch(jobId, record: LaunchRecord) {
      await transition(jobId, 'launched', {
        instanceId: { S: record.instanceId },
        runnerId: { N: String(record.runnerId) },
        // instanceId/runnerId follow the job (the lifecycle rewrites them where it runs); these
        // keep which runner this launch registered on which instance, for the reaper.
        launchInstanceId: { S: record.instanceId },
        launchRunnerId: { N: String(record.runnerId) },
        pool: { S: record.pool },
        lifecycle: { S: record.lifecycle },
        launchedAt: { N: String(seconds()) },
        // It names an instance now: the reaper sees it until it is cleaned up (`needsReaper`).
        [JOB_TABLE_OPEN_KEY]: { N: String(JOB_TABLE_OPEN_SHARD) },
      });
    },
    async recordSkip(jobId, reason) {
      await transition(jobId, 'skipped', { skipReason: { S: reason } });
    },
  };

  async function transition(jobId: number, state: JobState, attributes: Values) {
    const names = Object.keys(attributes);
    const done = await updateJobIf(dynamo, tableName, jobId, {
      set: ['#state = :state', ...names.map((_, i) => `#a${i} = :a${i}`)],
      // Only the claim holder moves a job on from `claimed`.
      condition: '#state = :claimed',
      names: Object.fromEntries(names.map((n, i) => [`#a${i}`, n])),
      values: {
        ':state': { S: state },
        ':claimed': { S: 'claimed' },
        ...Object.fromEntries(names.map((n, i) => [`:a${i}`, attributes[n] ?? { S: '' }])),
      },
    });
    if (done === false) throw new JobMovedOnError(jobId);
  }
}
