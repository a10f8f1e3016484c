import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../lib/app';
import { ConfigError } from '../../lib/config/load';
import { nagFindings } from '../support/nag';
import { actionsOf, shipped, statementsOf, unbundledApp } from '../support/template';

const outdir = mkdtempSync(join(tmpdir(), 'spotlab-cdk-'));
let template: Template;

// The one synth that bundles the Lambdas, as `cdk synth` does: cdk-nag's report is read from it.
beforeAll(() => {
  const { app, stack } = createApp(new App({ outdir }), shipped);
  app.synth();
  template = Template.fromStack(stack);
});

const resourcesOf = (type: string) => Object.values(template.findResources(type));

describe('Spotlab stack: cdk-nag', () => {
  it('has no AwsSolutions finding left unacknowledged', () => {
    expect(nagFindings(outdir)).toEqual([]);
  });

  it('is wired into the app: an unencrypted queue without a DLQ fails synthesis', () => {
    const { app, stack } = unbundledApp(shipped);
    new Queue(stack, 'Careless');

    expect(() => app.synth()).toThrow(/AwsSolutions-SQS3|not used as a dead-letter queue/);
  });
});

describe('Spotlab stack: webhook API', () => {
  it('routes POST /webhook (and other methods, for a 405) to the webhook Lambda', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /webhook' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'ANY /webhook' });
    template.resourceCountIs('AWS::ApiGatewayV2::Route', 2);
  });

  it('throttles the stage and writes access logs that hold no header', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 200 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    });
    const [stage] = resourcesOf('AWS::ApiGatewayV2::Stage');
    expect(JSON.stringify(stage)).not.toMatch(/header/i);
  });

  it('reserves 20 concurrent executions for the webhook Lambda, its ceiling, and none for the others', () => {
    const reserved = Object.values(template.findResources('AWS::Lambda::Function'))
      .map((fn) => fn.Properties.ReservedConcurrentExecutions)
      .filter((value) => value !== undefined);

    expect(reserved).toEqual([20]);
  });

  it('reserves nothing when reservedConcurrency is null, for accounts with a small concurrency quota', () => {
    const { app, stack } = unbundledApp({
      ...shipped,
      webhook: { ...shipped.webhook, reservedConcurrency: null },
    });
    app.synth();

    const functions = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
    expect(functions.every((fn) => fn.Properties.ReservedConcurrentExecutions === undefined)).toBe(true);
  });

  it('tells the webhook Lambda which GitLab it serves, to refuse hooks from another', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          GITLAB_URL: shipped.gitlab.url,
          WEBHOOK_SECRET_PARAMETER: Match.anyValue(),
        }),
      },
    });
  });

  it('outputs the webhook URL', () => {
    template.hasOutput('WebhookUrl', { Value: Match.objectLike({ 'Fn::Join': Match.anyValue() }) });
  });

  it('runs the webhook Lambda on arm64 and Node.js 22 or newer, with a 10 s timeout', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Architectures: ['arm64'],
      Runtime: Match.stringLikeRegexp('^nodejs(2[2-9]|[3-9]\\d)\\.x$'),
      Timeout: 10,
      Environment: {
        Variables: Match.objectLike({
          WEBHOOK_SECRET_PARAMETER: '/spotlab/webhook-secret',
          SECRET_CACHE_SECONDS: '300',
          DEMAND_QUEUE_URL: Match.anyValue(),
          LIFECYCLE_QUEUE_URL: Match.anyValue(),
        }),
      },
    });
  });

  it('keeps the secret out of the Lambda environment: only the parameter name is there', () => {
    const [fn] = resourcesOf('AWS::Lambda::Function');
    const variables = JSON.stringify(fn?.Properties?.Environment?.Variables ?? {});

    expect(variables).not.toMatch(/SECRET"\s*:\s*"(?!\/)/);
  });

  it('retains function and access logs for a bounded time', () => {
    const groups = resourcesOf('AWS::Logs::LogGroup');

    expect(groups.length).toBeGreaterThanOrEqual(2);
    for (const group of groups) expect(group.Properties?.RetentionInDays).toBe(30);
  });
});

describe('Spotlab stack: queues', () => {
  it('gives the demand and lifecycle queues a dead-letter queue after five receives', () => {
    const withRedrive = resourcesOf('AWS::SQS::Queue').filter(
      (q) => q.Properties?.RedrivePolicy !== undefined,
    );

    expect(withRedrive).toHaveLength(2);
    for (const queue of withRedrive) {
      expect(queue.Properties.RedrivePolicy.maxReceiveCount).toBeGreaterThanOrEqual(5);
      expect(queue.Properties.VisibilityTimeout).toBe(360);
    }
  });

  it('encrypts every queue and refuses requests without TLS', () => {
    const queues = resourcesOf('AWS::SQS::Queue');

    expect(queues).toHaveLength(4);
    for (const queue of queues) expect(queue.Properties?.SqsManagedSseEnabled).toBe(true);
    template.resourcePropertiesCountIs(
      'AWS::SQS::QueuePolicy',
      {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      },
      4,
    );
  });
});

describe('Spotlab stack: least privilege', () => {
  it('lets the webhook Lambda send to the two queues and read its secret, nothing else', () => {
    const policies = Object.entries(template.findResources('AWS::IAM::Policy'))
      .filter(([logicalId]) => logicalId.startsWith('WebhookRole'))
      .map(([, policy]) => policy);
    expect(policies).toHaveLength(1);
    const statements = statementsOf(template, 'WebhookRole');
    const actions = statements.flatMap(actionsOf).sort();

    expect(actions).toEqual(
      expect.arrayContaining([
        'sqs:SendMessage',
        'ssm:GetParameter',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
      ]),
    );
    expect(actions.filter((a) => !/^(sqs|ssm|logs|kms):/.test(a))).toEqual([]);
    for (const statement of statements) expect(statement.Resource).not.toBe('*');
  });

  it('attaches no AWS managed policy to the webhook role', () => {
    for (const role of resourcesOf('AWS::IAM::Role'))
      expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
  });

  it('scopes the SSM read to the configured parameter', () => {
    const policies = JSON.stringify(resourcesOf('AWS::IAM::Policy'));

    expect(policies).toContain(':parameter/spotlab/webhook-secret');
  });
});

describe('Spotlab app: configuration', () => {
  it('reads the configuration named by -c config=...', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spotlab-config-'));
    const file = join(dir, 'other.json');
    const base = JSON.parse(JSON.stringify(shipped));
    writeFileSync(file, JSON.stringify({ ...base, stackName: 'SpotlabStaging' }));

    // Not bundling the Lambdas: only the stack name is read.
    const { stack } = createApp(new App({ context: { config: file, 'aws:cdk:bundling-stacks': [] } }));

    expect(stack.stackName).toBe('SpotlabStaging');
  });

  it('fails before synthesis with every bad key of a bad file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spotlab-config-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ pools: [], maxInstances: 0 }));

    expect(() => createApp(new App({ context: { config: file } }))).toThrow(ConfigError);
    expect(() => createApp(new App({ context: { config: file } }))).toThrow(
      /gitlab[\s\S]*pools[\s\S]*maxInstances/,
    );
  });
});
