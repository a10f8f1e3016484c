import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { EndpointType, LambdaIntegration, LogGroupLogDestination, RestApi } from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { webhookAccessLogFormat, webhookAccessLogGroup } from './webhook-access-log';
import { WebhookWaf, type WebhookWafRule } from './webhook-waf';

/** Stage of the REST API: part of the webhook URL (`…/spotlab/webhook`). */
export const WEBHOOK_REST_STAGE = 'spotlab';

/** Properties of {@link WebhookRestApi}. */
export interface WebhookRestApiProps {
  readonly handler: IFunction;
  /** The stage's throttle, as the HTTP API's. */
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  readonly logRetention: RetentionDays;
  readonly waf: WebhookWafRule;
}

/**
 * The webhook's front door when `webhook.waf` is set: a regional API Gateway REST API, because an
 * HTTP API cannot carry an AWS WAF web ACL and a regional web ACL needs no second stack in
 * us-east-1 (as CloudFront's would). The web ACL sits on the stage itself, so the execute-api URL
 * cannot bypass it. The Lambda reads this API's (payload v1) events as it reads the HTTP API's.
 */
export class WebhookRestApi extends Construct {
  /** The REST API. */
  readonly api: RestApi;
  /** The web ACL's construct. */
  readonly waf: WebhookWaf;
  /** The URL to enter in GitLab's webhook settings. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: WebhookRestApiProps) {
    super(scope, id);
    const accessLogs = webhookAccessLogGroup(this, props.logRetention);
    this.api = new RestApi(this, 'Api', {
      description: 'Spotlab GitLab webhook',
      endpointTypes: [EndpointType.REGIONAL],
      // REST API access logs need the Region's API Gateway CloudWatch role (an account setting,
      // unlike an HTTP API's). Kept on delete: other APIs of the account may log through it.
      cloudWatchRole: props.waf.createAccountLogRole,
      ...(props.waf.createAccountLogRole ? { cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN } : {}),
      deployOptions: {
        stageName: WEBHOOK_REST_STAGE,
        throttlingRateLimit: props.throttle.rateLimit,
        throttlingBurstLimit: props.throttle.burstLimit,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: webhookAccessLogFormat({ waf: '$context.wafResponseCode' }),
      },
    });
    const hook = this.api.root.addResource('webhook');
    const integration = new LambdaIntegration(props.handler);
    hook.addMethod('POST', integration);
    // Other methods reach the Lambda too, so the caller gets a 405 rather than an opaque 403.
    hook.addMethod('ANY', integration);
    this.url = this.api.urlForPath('/webhook');
    this.waf = new WebhookWaf(this, 'Waf', {
      rule: props.waf,
      stageArn: this.api.deploymentStage.stageArn,
      stage: this.api.deploymentStage,
    });
    acknowledgeRestFindings(this.api);
    const logRole = this.api.node.tryFindChild('CloudWatchRole');
    if (logRole !== undefined)
      Validations.of(logRole).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          'The account-wide API Gateway logging role carries AWS’s AmazonAPIGatewayPushToCloudWatchLogs, as ' +
          'every API of the account and Region logs through the one role it sets; no narrower policy would ' +
          'keep their logs.',
      });
  }
}

/** Why neither kind of API has an API Gateway authorizer (cdk-nag AwsSolutions-APIG4, -COG4). */
export const AUTHENTICATED_IN_LAMBDA =
  'GitLab can send neither IAM-signed requests nor JWTs; every request is authenticated in the ' +
  'Lambda by the X-Gitlab-Token shared secret (constant-time) and, when configured, the ' +
  'webhook-signature HMAC, before anything is enqueued.';

/** The cdk-nag findings a GitLab webhook endpoint cannot meet, each with its reason. */
function acknowledgeRestFindings(api: RestApi): void {
  Validations.of(api).acknowledge(
    { id: 'AwsSolutions-APIG4', reason: AUTHENTICATED_IN_LAMBDA },
    { id: 'AwsSolutions-COG4', reason: AUTHENTICATED_IN_LAMBDA },
    {
      id: 'AwsSolutions-APIG2',
      reason:
        'The Lambda parses every body with zod after authenticating it; an API Gateway model would ' +
        'answer unauthenticated callers with details of the expected body.',
    },
    {
      id: 'AwsSolutions-APIG6',
      reason:
        'Execution logs would record request details of every hook beside the access log and the ' +
        'Lambda’s own outcome log; the stage writes access logs (no headers), the Lambda logs every outcome.',
    },
  );
}
