import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { createSqsClient, sqsJobQueue } from '../shared/adapters/sqs-queue';
import { createSsmClient, readSecureString } from '../shared/adapters/ssm-parameter';
import { Service } from '../shared/metric-names';
import { createObservability } from '../shared/observability';
import { cachedLoader } from '../shared/ttl-cache';
import { readWebhookEnv } from './env';
import { readApiGatewayEvent } from './http-request';
import { type IntakeDeps, receiveWebhook } from './intake';
import { recordError, recordResult } from './observe';
import { RecentKeys } from './recent-keys';
import { errorResponse, type HttpResponse, resultResponse } from './responses';

const env = readWebhookEnv(process.env);
const { logger, metrics } = createObservability(Service.webhook, env.metricsNamespace);
const ssm = createSsmClient();
const sqs = createSqsClient();
const secretTtlMs = env.secretCacheSeconds * 1000;
const signingParameter = env.signingTokenParameter;

const deps: IntakeDeps = {
  secrets: {
    gitlabToken: cachedLoader(() => readSecureString(ssm, env.webhookSecretParameter), secretTtlMs),
    signingToken:
      signingParameter === undefined
        ? () => Promise.resolve(undefined)
        : cachedLoader(() => readSecureString(ssm, signingParameter), secretTtlMs),
  },
  queue: sqsJobQueue(sqs, { demand: env.demandQueueUrl, lifecycle: env.lifecycleQueueUrl }),
  recentKeys: new RecentKeys(),
  now: Date.now,
  gitlabHost: new URL(env.gitlabUrl).host,
};

async function handleWebhook(event: unknown): Promise<HttpResponse> {
  try {
    const result = await receiveWebhook(readApiGatewayEvent(event), deps);
    recordResult(result, logger, metrics);
    return resultResponse(result);
  } catch (error) {
    recordError(error, logger, metrics);
    return errorResponse(error);
  }
}

/** Entry point of `POST /webhook`, behind an API Gateway HTTP API (payload v2) or REST API (v1). */
export const handler = middy(handleWebhook)
  // Never log the event: its headers carry X-Gitlab-Token.
  .use(injectLambdaContext(logger, { logEvent: false }))
  .use(logMetrics(metrics));
