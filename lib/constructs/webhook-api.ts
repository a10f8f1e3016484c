import { Duration, Validations } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { encodeWebhookEnv, SECRET_CACHE_SECONDS_DEFAULT } from '../../lambdas/webhook/env';
import { WEBHOOK_RESERVED_CONCURRENCY } from '../config/schema';
import type { JobQueues } from './job-queues';
import { grantSecureStringRead } from './parameter-grants';
import { createSpotlabFunction } from './spotlab-function';
import { spotlabMetricNamespaces } from './spotlab-name';
import { webhookAccessLogFormat, webhookAccessLogGroup } from './webhook-access-log';
import { AUTHENTICATED_IN_LAMBDA, WebhookRestApi } from './webhook-rest-api';
import type { WebhookWaf, WebhookWafRule } from './webhook-waf';

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
  /**
   * An AWS WAF rate-based rule per source IP. Setting it makes the front door a REST API, the
   * kind of API Gateway API a regional web ACL can protect.
   * @default - no WAF; the front door is an HTTP API
   */
  readonly waf?: WebhookWafRule;
}

/**
 * The front door: `POST /webhook` in front of the webhook Lambda, which authenticates GitLab's
 * Job Hooks and puts them on the job queues. An HTTP API by default; a REST API with a WAF web
 * ACL when `waf` is set. Other methods on the path reach the Lambda too, so the caller gets a 405
 * rather than an opaque 404.
 */
export class WebhookApi extends Construct {
  /** The webhook Lambda. */
  readonly function: LambdaFunction;
  /** The API: an HTTP API, or the REST API that carries the WAF web ACL. */
  readonly api: HttpApi | RestApi;
  /** The URL to enter in GitLab's webhook settings. */
  readonly url: string;
  /** The WAF web ACL on the REST API, when `waf` is set. */
  readonly waf?: WebhookWaf;

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

    const throttle = { rateLimit: props.rateLimitPerSecond ?? 50, burstLimit: props.burstLimit ?? 200 };
    if (props.waf === undefined) {
      this.api = this.httpApi(throttle, retention);
      this.url = `${this.api.apiEndpoint}/webhook`;
    } else {
      const rest = new WebhookRestApi(this, 'Rest', {
        handler: this.function,
        throttle,
        logRetention: retention,
        waf: props.waf,
      });
      this.api = rest.api;
      this.url = rest.url;
      this.waf = rest.waf;
    }

    props.queues.demand.grantSendMessages(this.function);
    props.queues.lifecycle.grantSendMessages(this.function);
    const secrets = [props.webhookSecretParameter, props.signingTokenParameter].filter(
      (name) => name !== undefined,
    );
    secrets.forEach((parameterName, index) => {
      grantSecureStringRead(this, `Secret${index}`, role, parameterName);
    });
  }

  /** The default front door. Its construct ids predate the REST option: kept, so a deployed API keeps its URL. */
  private httpApi(throttle: { rateLimit: number; burstLimit: number }, retention: RetentionDays): HttpApi {
    const api = new HttpApi(this, 'Api', {
      createDefaultStage: false,
      description: 'Spotlab GitLab webhook',
    });
    new HttpStage(this, 'Stage', {
      httpApi: api,
      stageName: '$default',
      autoDeploy: true,
      throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(webhookAccessLogGroup(this, retention)),
        format: webhookAccessLogFormat(),
      },
    });
    const integration = new HttpLambdaIntegration('Integration', this.function);
    api.addRoutes({ path: '/webhook', methods: [HttpMethod.POST], integration });
    api.addRoutes({ path: '/webhook', methods: [HttpMethod.ANY], integration });
    Validations.of(api).acknowledge({ id: 'AwsSolutions-APIG4', reason: AUTHENTICATED_IN_LAMBDA });
    return api;
  }
}
