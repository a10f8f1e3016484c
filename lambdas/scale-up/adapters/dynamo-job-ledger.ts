import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { JOB_ITEM_TTL_SECONDS, STALE_CLAIM_SECONDS } from '../../shared/job-table/lifetimes';
import type { JobState } from '../../shared/job-table/states';

import { type JobLedger, JobMovedOnError, type LaunchRecord } from '../ports';

/**
 * The production {@link JobLedger} on DynamoDB (partition key `jobId`, a number). Every write is
 * conditional, which is what makes a job launch at most once across concurrent invocations,
 * redeliveries and out-of-order events.
 */
export function dynamoJobLedger(
  dynamo: DynamoDBClient,
  tableName: string,
  now: () => number = Date.now,
): JobLedger {
  const key = (jobId: number) => ({ jobId: { N: String(jobId) } });
  const seconds = () => Math.floor(now() / 1000);
  return {
    async claim(jobId, projectId) {
      try {
        await dynamo.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              ...key(jobId),
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
            Key: key(jobId),
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
      });
    },
    async recordSkip(jobId, reason) {
      await transition(jobId, 'skipped', { skipReason: { S: reason } });
    },
  };

  async function transition(
    jobId: number,
    state: JobState,
    attributes: Record<string, { S: string } | { N: string }>,
  ) {
    const names = Object.keys(attributes);
    try {
      await dynamo.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: key(jobId),
          UpdateExpression: `SET #state = :state, ${names.map((_, i) => `#a${i} = :a${i}`).join(', ')}`,
          // Only the claim holder moves a job on from `claimed`.
          ConditionExpression: '#state = :claimed',
          ExpressionAttributeNames: {
            '#state': 'state',
            ...Object.fromEntries(names.map((n, i) => [`#a${i}`, n])),
          },
          ExpressionAttributeValues: {
            ':state': { S: state },
            ':claimed': { S: 'claimed' },
            ...Object.fromEntries(names.map((n, i) => [`:a${i}`, attributes[n] ?? { S: '' }])),
          },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new JobMovedOnError(jobId);
      throw error;
    }
  }
}
