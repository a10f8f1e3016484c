import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import { type WafMetricNames, wafRequests } from './webhook-waf';

/**
 * Fires when the webhook's WAF rate rule blocked a request in 5 minutes: either a flood from one
 * address, or GitLab's own burst past `webhook.waf.requestsPerIp`, whose blocked deliveries GitLab
 * does not send again. Both need a look; nothing is blocked in normal operation.
 */
export function wafBlocksAlarm(scope: Construct, names: WafMetricNames, namePrefix: string): Alarm {
  return new Alarm(scope, 'WebhookWafBlocks', {
    alarmName: `${namePrefix}-webhook-waf-blocks`,
    alarmDescription:
      'The webhook WAF rule answered 429 to a source address past webhook.waf.requestsPerIp: a flood, ' +
      'or GitLab’s own deliveries (not re-sent). See docs/observability.md#webhook-waf-blocks',
    metric: wafRequests(names, 'blocked'),
    threshold: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    // WAF reports a rule's count only when it matched.
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
}
