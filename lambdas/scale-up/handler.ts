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
import { dynamoJobLedger } from '../shared/job-table/dynamo-ledger';
import { dynamoWarmRegistry } from '../shared/job-table/dynamo-warm-registry';
import { Service } from '../shared/metric-names';
import { createObservability } from '../shared/observability';
import { SDK_CLIENT_CONFIG } from '../shared/sdk-config';
import { cachedLoader } from '../shared/ttl-cache';
import { ec2Fleet } from './adapters/ec2-fleet';
import { readScaleUpEnv } from './env';
import { gitlabMemo } from './gitlab-memo';
import { LaunchPacer } from './launch-pacing';
import { metricsObserver, warmClaimMetrics } from './metrics-observer';
import { readDemandRecords } from './read-records';
import { type ScaleUpDeps, scaleUp } from './scale-up';
import { withWarmClaims } from './warm-claims';

const env = readScaleUpEnv(process.env);
const { logger, metrics } = createObservability(Service.scaleUp, env.metricsNamespace);
const ssm = createSsmClient();
const observer = metricsObserver(logger, metrics);

const gitlab = gitlabHttpApi({
  baseUrl: env.gitlabUrl,
  token: cachedLoader(() => readSecureString(ssm, env.gitlabTokenParameter), 5 * 60_000),
});

const dynamo = new DynamoDBClient(SDK_CLIENT_CONFIG);
const deps: ScaleUpDeps = {
  ...env,
  gitlab,
  // Module scope: what GitLab said outlives the batch, for as long as the environment stays warm.
  memo: gitlabMemo(gitlab),
  // Ready instances of a pool with warm capacity are taken before any new one is launched.
  fleet: withWarmClaims(ec2Fleet(createEc2Client(), env.stackName), {
    registry: dynamoWarmRegistry(dynamo, env.tableName),
    warmPools: new Set(env.pools.filter((pool) => pool.warm !== undefined).map((pool) => pool.name)),
    observer: warmClaimMetrics(logger, metrics),
    now: Date.now,
  }),
  tokens: ssmTokenStore(ssm, env.stackName, env.instanceArnPrefix),
  ledger: dynamoJobLedger(dynamo, env.tableName),
  interruptions: dynamoInterruptionLog(dynamo, env.interruptionTableName),
  observer,
  now: Date.now,
  requeue: sqsDemandQueue(createSqsClient(), env.demandQueueUrl),
  // Kept by this warm execution environment across invocations; see LaunchPacer.
  pacer: new LaunchPacer(env.ec2LaunchRate, Date.now()),
};

async function handleDemand(event: SQSEvent): Promise<SQSBatchResponse> {
  const retry = await scaleUp(readDemandRecords(event.Records, observer), deps);
  // With ReportBatchItemFailures, SQS deletes every message of the batch except those listed
  // here, which come back after the visibility timeout (and go to the DLQ after maxReceiveCount).
  // Listing nothing acknowledges the whole batch; throwing would retry all of it. Jobs that only
  // wait (a cap, the launch rate) are not listed: scale-up re-sent them with a delay.
  return { batchItemFailures: retry.map((itemIdentifier) => ({ itemIdentifier })) };
}

/** SQS entry point of the demand queue. */
export const handler = middy(handleDemand)
  .use(injectLambdaContext(logger, { logEvent: false }))
  .use(logMetrics(metrics));
