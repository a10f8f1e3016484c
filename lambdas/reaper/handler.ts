import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import { createEc2Client } from '../shared/adapters/ec2-client';
import { createSqsClient, sqsDemandQueue } from '../shared/adapters/sqs-queue';
import { createSsmClient, readSecureString } from '../shared/adapters/ssm-parameter';
import { gitlabHttpApi } from '../shared/gitlab/http-adapter';
import { dynamoSweepView } from '../shared/job-table/dynamo-sweep-view';
import { dynamoWarmRegistry } from '../shared/job-table/dynamo-warm-registry';
import { Service } from '../shared/metric-names';
import { createObservability } from '../shared/observability';
import { SDK_CLIENT_CONFIG } from '../shared/sdk-config';
import { cachedLoader } from '../shared/ttl-cache';
import { ec2ReaperFleet } from './adapters/ec2-reaper-fleet';
import { ec2WarmLauncher } from './adapters/ec2-warm-launcher';
import { ssmTokenParameters } from './adapters/ssm-token-parameters';
import { readReaperEnv } from './env';
import { reaperMetricsObserver, warmLaunchedMetric } from './metrics-observer';
import type { SweepSummary } from './observer';
import { RunnerPageCursor } from './runner-page-cursor';
import { sweep } from './sweep';
import type { SweepDeps } from './sweep-context';

const env = readReaperEnv(process.env);
const { logger, metrics } = createObservability(Service.reaper, env.metricsNamespace);
const ssm = createSsmClient();
const observer = reaperMetricsObserver(logger, metrics);
const ec2 = createEc2Client();
const dynamo = new DynamoDBClient(SDK_CLIENT_CONFIG);
const fleet = ec2ReaperFleet(ec2, env.stackName);

const deps: SweepDeps = {
  fleet,
  table: dynamoSweepView(dynamo, env.tableName, Date.now, (problem) =>
    logger.warn('job item skipped', { problem }),
  ),
  tokens: ssmTokenParameters(ssm, env.stackName),
  gitlab: gitlabHttpApi({
    baseUrl: env.gitlabUrl,
    token: cachedLoader(() => readSecureString(ssm, env.gitlabTokenParameter), 5 * 60_000),
  }),
  queue: sqsDemandQueue(createSqsClient(), env.demandQueueUrl),
  observer,
  settings: env.sweep,
  // Module scope: a warm function's next sweep reads on where this one stopped.
  runnerPages: new RunnerPageCursor(),
  now: Date.now,
  ...(env.warm === undefined
    ? {}
    : {
        warm: {
          settings: env.warm,
          registry: dynamoWarmRegistry(dynamo, env.tableName),
          launcher: ec2WarmLauncher(ec2, env.stackName),
          fleet,
          stackName: env.stackName,
          launched: warmLaunchedMetric(logger, metrics),
        },
      }),
};

/** The Scheduler's event; only its time is read, for the log. */
interface ScheduledEvent {
  readonly time?: unknown;
}

async function handleSweep(event: ScheduledEvent | undefined): Promise<SweepSummary> {
  logger.info('sweep starts', { scheduledTime: typeof event?.time === 'string' ? event.time : undefined });
  // A failed step is counted and logged, never thrown: the next sweep, a minute later, retries
  // it anyway, and a thrown error would only make the Scheduler's invocation look failed.
  return sweep(deps);
}

/** EventBridge Scheduler entry point: one reaper sweep per invocation. */
export const handler = middy(handleSweep)
  .use(injectLambdaContext(logger, { logEvent: false }))
  .use(logMetrics(metrics));
