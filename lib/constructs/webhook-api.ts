import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { encodeWebhookEnv, SECRET_CACHE_SECONDS_DEFAULT } from '../../lambdas/webhook/env';
import { WEBHOOK_RESERVED_CONCURRENCY } from '../config/schema';
import type { JobQueues } from './job-queues';
import { grantSecureStringRead } from './parameter-grants';
import { createSpotlabFunction } from './spotlab-function';
import { spotlabMetricNamespaces } from './spotlab-name';

/** Properties of {@link WebhookApi}. */
export interface WebhookApiProps {
  /** Where accepted job events go. */
  readonly queues: JobQueues;
  /** URL of the GitLab instance served: hooks whose `X-Gitlab-Instance` names another are refused. */
  readonly gitlabUrl: string;
  /** SSM SecureString holding the webhook's secret token. */
  readonly webhookSecretParameter: string;
  /**
   * SSM SecureString holding the webhook signing token (`whsec_…`).
   * @default - signatures are not checked
   */
  readonly signingTokenParameter?: string;
  /**
   * How long the Lambda keeps the secrets it read.
   * @default Duration.seconds(SECRET_CACHE_SECONDS_DEFAULT) (5 minutes)
   */
  readonly secretCacheTtl?: Duration;
  /**
   * Steady-state requests per second the stage accepts before answering 429.
   * @default 50
   */
  readonly rateLimitPerSecond?: number;
  /**
   * Requests the stage accepts in a burst.
   * @default 200
   */
  readonly burstLimit?: number;
  /**
   * Concurrent executions reserved for the webhook Lambda, which are also its ceiling: a flood of
   * hooks can neither starve scale-up, lifecycle and reaper of the account's concurrency nor be
   * starved by other functions. `undefined` reserves nothing (needed where the account's quota is
   * below 100 + this: Lambda keeps 100 unreserved).
   * @default WEBHOOK_RESERVED_CONCURRENCY (20)
   */
  readonly reservedConcurrency?: number;
  /**
   * Retention of the function's and the stage's logs.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
}

/**
 * The front door: an HTTP API with `POST /webhook` in front of the webhook Lambda, which
 * authenticates GitLab's Job Hooks and puts them on the job queues. Other methods on the path
 * reach the Lambda too, so the caller gets a 405 rather than an opaque 404.
 */
export class WebhookApi extends Construct {
  /** The webhook Lambda. */
  readonly function: LambdaFunction;
  /** The HTTP API. */
  readonly api: HttpApi;
  /** The URL to enter in GitLab's webhook settings. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: WebhookApiProps) {
    super(scope, id);
    const retention = props.logRetention ?? RetentionDays.ONE_MONTH;
    const { function: fn, role } = createSpotlabFunction(this, {
      lambda: 'webhook',
      // GitLab waits 10 s for an answer; the function answers in milliseconds or not at all.
      timeout: Duration.seconds(10),
      logRetention: retention,
      // The handler answers in milliseconds: 20 at once serve thousands of hooks a second.
      reservedConcurrentExecutions:
        'reservedConcurrency' in props ? props.reservedConcurrency : WEBHOOK_RESERVED_CONCURRENCY,
      environment: encodeWebhookEnv({
        demandQueueUrl: props.queues.demand.queueUrl,
        lifecycleQueueUrl: props.queues.lifecycle.queueUrl,
        webhookSecretParameter: props.webhookSecretParameter,
        gitlabUrl: props.gitlabUrl,
        signingTokenParameter: props.signingTokenParameter,
        metricsNamespace: spotlabMetricNamespaces(this).lambdas,
        secretCacheSeconds: (
          props.secretCacheTtl ?? Duration.seconds(SECRET_CACHE_SECONDS_DEFAULT)
        ).toSeconds(),
      }),
    });
    this.function = fn;

    this.api = new HttpApi(this, 'Api', { createDefaultStage: false, description: 'Spotlab GitLab webhook' });
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention, removalPolicy: RemovalPolicy.DESTROY });
    new HttpStage(this, 'Stage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.rateLimitPerSecond ?? 50, burstLimit: props.burstLimit ?? 200 },
      // No headers in the access log: X-Gitlab-Token travels in one.
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            method: '$context.httpMethod',
            path: '$context.path',
            status: '$context.status',
            responseLength: '$context.responseLength',
            integrationLatency: '$context.integrationLatency',
          }),
        ),
      },
    });
    const integration = new HttpLambdaIntegration('Integration', this.function);
    this.api.addRoutes({ path: '/webhook', methods: [HttpMethod.POST], integration });
    this.api.addRoutes({ path: '/webhook', methods: [HttpMethod.ANY], integration });
    this.url = `${this.api.apiEndpoint}/webhook`;
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'GitLab can send neither IAM-signed requests nor JWTs; every request is authenticated in the ' +
        'Lambda by the X-Gitlab-Token shared secret (constant-time) and, when configured, the ' +
        'webhook-signature HMAC, before anything is enqueued.',
    });

    props.queues.demand.grantSendMessages(this.function);
    props.queues.lifecycle.grantSendMessages(this.function);
    const secrets = [props.webhookSecretParameter, props.signingTokenParameter].filter(
      (name) => name !== undefined,
    );
    secrets.forEach((parameterName, index) => {
      grantSecureStringRead(this, `Secret${index}`, role, parameterName);
    });
  }
}
