import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config/load';
import type { SpotlabConfig } from '../../lib/config/schema';
import { nagFindings } from '../support/nag';
import { shipped, synth } from '../support/template';

const withWaf = (waf: Record<string, unknown>): SpotlabConfig =>
  parseConfig(JSON.stringify({ ...shipped, webhook: { ...shipped.webhook, waf } }), 'waf.json');

const resources = (template: Template, type: string) => Object.values(template.findResources(type));

describe('webhook WAF option: off by default', () => {
  it('builds no web ACL and keeps the HTTP API as the front door', () => {
    const { template } = synth(shipped);
    template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    template.resourceCountIs('AWS::ApiGateway::RestApi', 0);
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    expect(dashboardBody(template)).not.toContain('AWS/WAFV2');
    expect(JSON.stringify(template.findResources('AWS::CloudWatch::Alarm'))).not.toContain('AWS/WAFV2');
  });
});

/** The dashboard's body, its references flattened to text. */
const dashboardBody = (template: Template): string =>
  JSON.stringify(
    Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]?.Properties.DashboardBody,
  );

describe('webhook WAF option: on, with its defaults (stage "spotlab")', () => {
  let template: Template;
  let findings: string[];
  beforeAll(() => {
    const synthesised = synth(withWaf({}));
    template = synthesised.template;
    findings = nagFindings(synthesised.outdir);
  });

  it('fronts the webhook with a regional REST API instead of the HTTP API', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 0);
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      EndpointConfiguration: { Types: ['REGIONAL'] },
    });
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'webhook' });
    const methods = resources(template, 'AWS::ApiGateway::Method').map((m) => m.Properties.HttpMethod);
    expect(methods.sort()).toEqual(['ANY', 'POST']);
  });

  it('limits each source IP to 3,000 requests in 5 minutes and answers the rest 429', () => {
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      DefaultAction: { Allow: {} },
      Rules: [
        Match.objectLike({
          Name: 'RateLimitPerSourceIp',
          Action: { Block: { CustomResponse: { ResponseCode: 429 } } },
          Statement: {
            RateBasedStatement: { Limit: 3000, EvaluationWindowSec: 300, AggregateKeyType: 'IP' },
          },
          VisibilityConfig: Match.objectLike({ CloudWatchMetricsEnabled: true }),
        }),
      ],
    });
    template.resourceCountIs('AWS::WAFv2::IPSet', 0);
  });

  it('attaches the web ACL to the stage the webhook URL points at, once the stage exists', () => {
    const [association] = Object.values(template.findResources('AWS::WAFv2::WebACLAssociation'));
    const arn = JSON.stringify(association?.Properties.ResourceArn);
    const stageId = Object.keys(template.findResources('AWS::ApiGateway::Stage'))[0] ?? '';
    expect(arn).toContain('/restapis/');
    expect(arn).toContain(`"/stages/",{"Ref":"${stageId}"}`);
    expect(association?.DependsOn).toContain(stageId);
    const url = JSON.stringify(template.findOutputs('WebhookUrl'));
    expect(url).toContain(`{"Ref":"${stageId}"},"/webhook"`);
  });

  it('keeps the stage throttle and an access log that holds no header', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'spotlab',
      MethodSettings: Match.arrayWith([
        Match.objectLike({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 200 }),
      ]),
      AccessLogSetting: Match.objectLike({ Format: Match.stringLikeRegexp('wafResponseCode') }),
    });
    const [stage] = resources(template, 'AWS::ApiGateway::Stage');
    expect(JSON.stringify(stage?.Properties.AccessLogSetting.Format)).not.toMatch(/header/i);
  });

  it('sets the Region’s API Gateway logging role that REST access logs need, kept when the stack goes', () => {
    const [account] = resources(template, 'AWS::ApiGateway::Account');
    const roleId = JSON.stringify(account?.Properties.CloudWatchRoleArn).match(
      /"Fn::GetAtt":\["([^"]+)"/,
    )?.[1];
    const role = template.toJSON().Resources[roleId ?? ''];

    expect(role?.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({
      Service: 'apigateway.amazonaws.com',
    });
    expect(role?.DeletionPolicy).toBe('Retain');
    const stage = Object.values(template.findResources('AWS::ApiGateway::Stage'))[0];
    const accountId = Object.keys(template.findResources('AWS::ApiGateway::Account'))[0];
    expect(JSON.stringify(stage?.DependsOn ?? [])).toContain(accountId ?? 'none');
  });

  it('lets API Gateway invoke the webhook Lambda from this API only', () => {
    const permissions = resources(template, 'AWS::Lambda::Permission').filter(
      (p) => p.Properties.Principal === 'apigateway.amazonaws.com',
    );
    expect(permissions.length).toBeGreaterThan(0);
    for (const permission of permissions)
      expect(JSON.stringify(permission.Properties.SourceArn)).toMatch(/RestApi/);
  });

  it('graphs the requests WAF blocked and allowed on the dashboard, by the metric names it sends', () => {
    const [acl] = resources(template, 'AWS::WAFv2::WebACL');
    const body = dashboardBody(template);

    expect(body).toContain('AWS/WAFV2');
    expect(body).toContain('BlockedRequests');
    expect(body).toContain(acl?.Properties.VisibilityConfig.MetricName);
    expect(body).toContain(acl?.Properties.Rules[0].VisibilityConfig.MetricName);
  });

  it('alarms on any request WAF blocked in 5 minutes, to the alarm topic', () => {
    const [acl] = resources(template, 'AWS::WAFv2::WebACL');
    const [alarm] = resources(template, 'AWS::CloudWatch::Alarm').filter(
      (a) => a.Properties.AlarmName === 'Spotlab-webhook-waf-blocks',
    );

    expect(alarm?.Properties).toMatchObject({ Threshold: 1, TreatMissingData: 'notBreaching' });
    expect(alarm?.Properties.AlarmActions).toHaveLength(1);
    expect(alarm?.Properties.Metrics[0].MetricStat).toMatchObject({
      Metric: {
        Namespace: 'AWS/WAFV2',
        MetricName: 'BlockedRequests',
        Dimensions: expect.arrayContaining([
          { Name: 'Rule', Value: acl?.Properties.Rules[0].VisibilityConfig.MetricName },
          { Name: 'WebACL', Value: acl?.Properties.VisibilityConfig.MetricName },
        ]),
      },
      Period: 300,
      Stat: 'Sum',
    });
  });

  it('has no cdk-nag finding left unacknowledged', () => {
    expect(findings).toEqual([]);
  });
});

describe('webhook WAF option: settings', () => {
  it('leaves the account’s API Gateway logging role alone with createAccountLogRole false', () => {
    const { template } = synth(withWaf({ createAccountLogRole: false }));
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
  });

  it('takes its limit and window from webhook.waf', () => {
    const { template } = synth(withWaf({ requestsPerIp: 600, windowSeconds: 60 }));
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Rules: [
        Match.objectLike({
          Statement: { RateBasedStatement: Match.objectLike({ Limit: 600, EvaluationWindowSec: 60 }) },
        }),
      ],
    });
  });

  it('never counts the exempt ranges, one IP set per address family', () => {
    const { template } = synth(withWaf({ exemptSourceCidrs: ['203.0.113.0/24', '2001:db8::/32'] }));
    template.hasResourceProperties('AWS::WAFv2::IPSet', {
      IPAddressVersion: 'IPV4',
      Addresses: ['203.0.113.0/24'],
    });
    template.hasResourceProperties('AWS::WAFv2::IPSet', {
      IPAddressVersion: 'IPV6',
      Addresses: ['2001:db8::/32'],
    });
    const [acl] = resources(template, 'AWS::WAFv2::WebACL');
    const scopeDown = acl?.Properties.Rules[0].Statement.RateBasedStatement.ScopeDownStatement;
    expect(scopeDown.NotStatement.Statement.OrStatement.Statements).toHaveLength(2);
  });

  it('scopes down to one IP set without an OR when one family is exempt', () => {
    const { template } = synth(withWaf({ exemptSourceCidrs: ['198.51.100.7/32'] }));
    const [acl] = resources(template, 'AWS::WAFv2::WebACL');
    const scopeDown = acl?.Properties.Rules[0].Statement.RateBasedStatement.ScopeDownStatement;
    expect(scopeDown.NotStatement.Statement.IPSetReferenceStatement).toBeDefined();
  });
});
