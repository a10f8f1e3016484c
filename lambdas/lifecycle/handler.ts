import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createEc2Client } from '../shared/adapters/ec2-client';
import { createSqsClient, sqsDemandQueue } from '../shared/adapters/sqs-queue';
import { createSsmClient, readSecureString } from '../shared/adapters/ssm-parameter';
import { ssmTokenStore } from '../shared/adapters/ssm-token-store';
import { gitlabHttpApi } from '../shared/gitlab/http-adapter';
import { dynamoInterruptionLog } from '../shared/interruptions/dynamo-interruption-log';
import { dynamoJobJournal } from '../shared/job-table/dynamo-journal';
import { Service } from '../shared/metric-names';
import { createObservability } from '../shared/observability';
import { SDK_CLIENT_CONFIG } from '../shared/sdk-config';
import { cachedLoader } from '../shared/ttl-cache';
import { ec2LifecycleFleet } from './adapters/ec2-lifecycle-fleet';
import { readLifecycleEnv } from './env';
import { handleLifecycle, type LifecycleDeps } from './lifecycle';
import { lifecycleMetricsObserver } from './metrics-observer';
import { readLifecycleRecords } from './read-records';

const env = readLifecycleEnv(process.env);
const { logger, metrics } = createObservability(Service.lifecycle, env.metricsNamespace);
const ssm = createSsmClient();
const observer = lifecycleMetricsObserver(logger, metrics);

const dynamo = new DynamoDBClient(SDK_CLIENT_CONFIG);
const deps: LifecycleDeps = {
  gitlab: gitlabHttpApi({
    baseUrl: env.gitlabUrl,
    token: cachedLoader(() => readSecureString(ssm, env.gitlabTokenParameter), 5 * 60_000),
  }),
  instances: ec2LifecycleFleet(createEc2Client(), env.stackName),
  tokens: ssmTokenStore(ssm, env.stackName),
  journal: dynamoJobJournal(dynamo, env.tableName),
  interruptions: dynamoInterruptionLog(dynamo, env.interruptionTableName),
  demand: sqsDemandQueue(createSqsClient(), env.demandQueueUrl),
  observer,
};

async function handleLifecycleEvents(event: SQSEvent): Promise<SQSBatchResponse> {
  const retry = await handleLifecycle(readLifecycleRecords(event.Records, observer), deps);
  // With ReportBatchItemFailures, SQS deletes every message of the batch except those listed
  // here, which come back after the visibility timeout (and go to the DLQ after maxReceiveCount).
  // Listing nothing acknowledges the whole batch; throwing would retry all of it.
  return { batchItemFailures: retry.map((itemIdentifier) => ({ itemIdentifier })) };
}

/** SQS entry point of the lifecycle queue (webhook lifecycle messages and EC2 EventBridge events). */
export const handler = middy(handleLifecycleEvents)
  .use(injectLambdaContext(logger, { logEvent: false }))
  .use(logMetrics(metrics));
