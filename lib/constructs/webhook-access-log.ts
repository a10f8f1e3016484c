import { RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/**
 * The access log line of the webhook's stage, the same for both front doors. No headers:
 * X-Gitlab-Token travels in one. `extra` adds fields only one kind of API has.
 */
export function webhookAccessLogFormat(extra: Record<string, string> = {}): AccessLogFormat {
  return AccessLogFormat.custom(
    JSON.stringify({
      requestId: '$context.requestId',
      ip: '$context.identity.sourceIp',
      requestTime: '$context.requestTime',
      method: '$context.httpMethod',
      path: '$context.path',
      status: '$context.status',
      responseLength: '$context.responseLength',
      integrationLatency: '$context.integrationLatency',
      ...extra,
    }),
  );
}

/** The log group the stage writes its access log to, deleted with the stack. */
export function webhookAccessLogGroup(scope: Construct, retention: RetentionDays): LogGroup {
  return new LogGroup(scope, 'AccessLogs', { retention, removalPolicy: RemovalPolicy.DESTROY });
}
