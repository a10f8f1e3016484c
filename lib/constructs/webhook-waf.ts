import { Aws, Duration } from 'aws-cdk-lib';
import { Metric, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import { CfnIPSet, CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct, type IDependable } from 'constructs';
import { spotlabName } from './spotlab-name';

/** The rate-based rule's settings (`webhook.waf`). */
export interface WebhookWafRule {
  /** Requests one source IP may send in `windowSeconds`; WAF answers the rest 429. */
  readonly requestsPerIp: number;
  /** The counting window: 60, 120, 300 or 600 seconds. */
  readonly windowSeconds: number;
  /** IPv4 and IPv6 ranges the rule never limits (the GitLab's own outgoing addresses). */
  readonly exemptSourceCidrs: readonly string[];
  /** Whether the REST API sets the Region's API Gateway CloudWatch role, which its access log needs. */
  readonly createAccountLogRole: boolean;
}

/** Properties of {@link WebhookWaf}. */
export interface WebhookWafProps {
  readonly rule: WebhookWafRule;
  /** ARN of the API Gateway REST API stage to protect. */
  readonly stageArn: string;
  /** The stage resource: the association must wait for it, as its ARN is built, not referenced. */
  readonly stage: IDependable;
}

/** Name of the rate-based rule. */
export const WAF_RATE_RULE_NAME = 'RateLimitPerSourceIp';

/** The `AWS/WAFV2` dimensions of the web ACL's and the rule's metrics (their `MetricName`s). */
export interface WafMetricNames {
  readonly webAcl: string;
  readonly rule: string;
}

/**
 * Requests the web ACL counted in 5 minutes: `BlockedRequests` of the rate rule, or
 * `AllowedRequests` of the default action (which WAF reports under the rule `Default_Action`).
 */
export function wafRequests(names: WafMetricNames, counted: 'blocked' | 'allowed'): Metric {
  const blocked = counted === 'blocked';
  return new Metric({
    namespace: 'AWS/WAFV2',
    metricName: blocked ? 'BlockedRequests' : 'AllowedRequests',
    dimensionsMap: {
      WebACL: names.webAcl,
      Region: Aws.REGION,
      Rule: blocked ? names.rule : 'Default_Action',
    },
    statistic: Stats.SUM,
    period: Duration.minutes(5),
    label: counted,
  });
}

/** WAF takes metric names of up to 128 characters; a Spotlab's name may be as long. */
function wafMetricNames(spotlab: string): WafMetricNames {
  const base = spotlab.slice(0, 100);
  return { webAcl: `${base}-webhook`, rule: `${base}-webhook-rate` };
}

/**
 * A regional AWS WAF web ACL with one rule, on the webhook's REST API stage: a source IP that
 * sends more than `requestsPerIp` requests in `windowSeconds` is answered 429 by WAF, before API
 * Gateway, the Lambda or the throttle all other callers share see it. Everything else is allowed:
 * the Lambda still authenticates every request. Billed per web ACL, per rule and per request
 * inspected (docs/security.md#waf).
 */
export class WebhookWaf extends Construct {
  /** The web ACL. */
  readonly webAcl: CfnWebACL;
  /** Where its CloudWatch metrics are. */
  readonly metricNames: WafMetricNames;

  constructor(scope: Construct, id: string, props: WebhookWafProps) {
    super(scope, id);
    const name = spotlabName(this);
    this.metricNames = wafMetricNames(name);
    const exempt = this.exemptSets(props.rule.exemptSourceCidrs);
    this.webAcl = new CfnWebACL(this, 'Acl', {
      scope: 'REGIONAL',
      description: `Spotlab ${name}: rate limit per source IP on the GitLab webhook`,
      defaultAction: { allow: {} },
      visibilityConfig: {
        cloudWatchMetricsEnabled: true,
        metricName: this.metricNames.webAcl,
        sampledRequestsEnabled: true,
      },
      rules: [
        {
          name: WAF_RATE_RULE_NAME,
          priority: 0,
          // 429, as the stage's own throttle answers: GitLab records the delivery as failed.
          action: { block: { customResponse: { responseCode: 429 } } },
          statement: {
            rateBasedStatement: {
              limit: props.rule.requestsPerIp,
              evaluationWindowSec: props.rule.windowSeconds,
              aggregateKeyType: 'IP',
              scopeDownStatement: notExempt(exempt),
            },
          },
          visibilityConfig: {
            cloudWatchMetricsEnabled: true,
            metricName: this.metricNames.rule,
            sampledRequestsEnabled: true,
          },
        },
      ],
    });
    const association = new CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
    association.node.addDependency(props.stage);
  }

  /** One IP set per address family in use: a WAF IP set holds one family only. */
  private exemptSets(cidrs: readonly string[]): CfnIPSet[] {
    const families = [
      { version: 'IPV4', addresses: cidrs.filter((cidr) => !cidr.includes(':')) },
      { version: 'IPV6', addresses: cidrs.filter((cidr) => cidr.includes(':')) },
    ];
    return families
      .filter((family) => family.addresses.length > 0)
      .map(
        (family) =>
          new CfnIPSet(this, `Exempt${family.version}`, {
            scope: 'REGIONAL',
            ipAddressVersion: family.version,
            addresses: family.addresses,
            description: 'Source ranges the webhook rate limit never counts',
          }),
      );
  }
}

/** The scope-down statement that keeps the exempt ranges out of the count, when some are given. */
function notExempt(sets: readonly CfnIPSet[]): CfnWebACL.StatementProperty | undefined {
  const refs = sets.map((set) => ({ ipSetReferenceStatement: { arn: set.attrArn } }));
  const [only] = refs;
  if (only === undefined) return undefined;
  // An OR statement needs at least two members.
  const exempt = refs.length === 1 ? only : { orStatement: { statements: refs } };
  return { notStatement: { statement: exempt } };
}
