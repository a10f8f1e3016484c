import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import { ManagedPolicy } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SpotlabPropsError, type SpotlabRunnersProps } from '../../lib/runners-props';
import { SpotlabRunners } from '../../lib/spotlab-runners';
import { shipped, synth } from '../support/template';

/** The shipped configuration as props: no stack name, no network key (the host's VPC instead). */
const { stackName: _stackName, network: _network, ...settings } = shipped;
/** One pool with a baked image, so the image pipeline's names are compared too. */
const bakedPools = settings.pools.map((pool, index) => (index === 0 ? { ...pool, image: 'baked' } : pool));

function hostStack(): { stack: Stack; vpc: Vpc; topic: Topic } {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Platform');
  const vpc = new Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'Ci', subnetType: SubnetType.PUBLIC }],
  });
  return { stack, vpc, topic: new Topic(stack, 'Alarms') };
}

/**
 * Names that are not the resource's own or need not be unique: a metric an alarm reads (the same
 * in every Spotlab, each in its own namespace: see below), a reference to a function, an API's
 * label and its stage.
 */
const NOT_PHYSICAL = new Set([
  'AWS::CloudWatch::Alarm MetricName',
  'AWS::Lambda::Permission FunctionName',
  'AWS::ApiGatewayV2::Api Name',
  'AWS::ApiGatewayV2::Stage StageName',
]);

/** Every name a resource gives itself (`AlarmName`, `DashboardName`, an SSM path, ...), by type: names are unique per type. */
function physicalNames(template: Template): string[] {
  const resources = Object.values(template.toJSON().Resources ?? {}) as {
    Type: string;
    Properties?: Record<string, unknown>;
  }[];
  return resources.flatMap(({ Type, Properties }) =>
    Object.entries(Properties ?? {})
      .filter(([key]) => /Name$/.test(key) && key !== 'IndexName' && !NOT_PHYSICAL.has(`${Type} ${key}`))
      .map(([key, value]) => `${Type} ${key}=${JSON.stringify(value)}`),
  );
}

type Resources = Record<string, { Properties?: Record<string, unknown> }>;

/** The resources of the Spotlab whose construct id is `id` (a prefix of their logical ids). */
const ownedBy = (resources: Resources, id: string): Resources =>
  Object.fromEntries(Object.entries(resources).filter(([logicalId]) => logicalId.startsWith(id)));

/** Every Spotlab namespace an alarm reads, its own metric or one of its math's. */
const alarmNamespaces = (alarms: Resources): Set<string> =>
  new Set([...JSON.stringify(alarms).matchAll(/"Namespace":"(Spotlab[^"]*)"/g)].map(([, ns]) => ns ?? ''));

const dashboardSchema = z.object({
  DashboardBody: z.object({ 'Fn::Join': z.tuple([z.literal(''), z.array(z.unknown())]) }),
});

/** Every Spotlab namespace a dashboard draws: a metric row's first cell, or a SEARCH's schema. */
function dashboardNamespaces(dashboards: Resources): Set<string> {
  const found = Object.values(dashboards).flatMap(({ Properties }) => {
    const [, parts] = dashboardSchema.parse(Properties).DashboardBody['Fn::Join'];
    const body = parts.map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('');
    const rows = [...body.matchAll(/\["(Spotlab[^"]*)",/g), ...body.matchAll(/SEARCH\('\{(Spotlab[^,]*),/g)];
    return rows.map(([, ns]) => ns ?? '');
  });
  return new Set(found);
}

describe('SpotlabRunners: two in one stack, both with the WAF option', () => {
  it('gives each its own web ACL on its own stage, with its own metric names', () => {
    const { stack, vpc, topic } = hostStack();
    const common = { ...settings, pools: bakedPools, vpc, alarmTopic: topic, webhook: { waf: {} } };
    new SpotlabRunners(stack, 'GitlabCom', common);
    new SpotlabRunners(stack, 'SelfHosted', {
      ...common,
      gitlab: { ...common.gitlab, url: 'https://git.example.com' },
    });
    const template = Template.fromStack(stack);
    const acls = Object.values(template.findResources('AWS::WAFv2::WebACL'));
    const metricNames = acls.map((acl) => acl.Properties.VisibilityConfig.MetricName);

    expect(metricNames.sort()).toEqual(['Platform-GitlabCom-webhook', 'Platform-SelfHosted-webhook']);
    const stages = Object.values(template.findResources('AWS::WAFv2::WebACLAssociation')).map((a) =>
      JSON.stringify(a.Properties.ResourceArn),
    );
    expect(new Set(stages).size).toBe(2);
  });
});

describe('SpotlabRunners: two in one stack', () => {
  let template: Template;
  beforeAll(() => {
    const { stack, vpc, topic } = hostStack();
    const common = { ...settings, pools: bakedPools, vpc, alarmTopic: topic } satisfies SpotlabRunnersProps;
    new SpotlabRunners(stack, 'GitlabCom', common);
    new SpotlabRunners(stack, 'SelfHosted', {
      ...common,
      gitlab: { ...common.gitlab, url: 'https://git.example.com' },
    });
    template = Template.fromStack(stack);
  });

  it('gives no two resources the same physical name (alarms, dashboards, images, parameters)', () => {
    const names = physicalNames(template);

    expect(names.length).toBeGreaterThan(20);
    expect(names.filter((name, index) => names.indexOf(name) !== index)).toEqual([]);
  });

  it('names each Spotlab after the stack and its id, in every Lambda environment', () => {
    const stackNames = Object.values(template.findResources('AWS::Lambda::Function'))
      .map((fn) => fn.Properties?.Environment?.Variables?.STACK_NAME)
      .filter((name) => name !== undefined);

    expect(new Set(stackNames)).toEqual(new Set(['Platform-GitlabCom', 'Platform-SelfHosted']));
  });

  it('keeps each Spotlab to its own runner tokens: distinct SSM prefixes in the IAM policies', () => {
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));

    expect(policies).toContain('parameter/spotlab/Platform-GitlabCom/runner-token/*');
    expect(policies).toContain('parameter/spotlab/Platform-SelfHosted/runner-token/*');
  });

  it('tags each Spotlab’s instances with its own name, the tag its reaper and IAM conditions select by', () => {
    const templates = JSON.stringify(template.findResources('AWS::EC2::LaunchTemplate'));

    expect(templates).toContain('"Key":"spotlab:stack","Value":"Platform-GitlabCom"');
    expect(templates).toContain('"Key":"spotlab:stack","Value":"Platform-SelfHosted"');
  });

  it('sends both Spotlabs’ alarms to the host topic and creates no topic or key of its own', () => {
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.resourceCountIs('AWS::KMS::Key', 0);
    const [topicId] = Object.keys(template.findResources('AWS::SNS::Topic'));
    const actions = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((alarm) =>
      JSON.stringify(alarm.Properties?.AlarmActions),
    );
    expect(actions.length).toBeGreaterThan(20);
    for (const action of actions) expect(action).toBe(JSON.stringify([{ Ref: topicId }]));
  });

  it('creates no VPC of its own: the runners use the host VPC', () => {
    template.resourceCountIs('AWS::EC2::VPC', 1);
  });

  it.each([
    ['GitlabCom', 'Spotlab/Platform-GitlabCom'],
    ['SelfHosted', 'Spotlab/Platform-SelfHosted'],
  ])('writes, alarms on and draws the %s Spotlab’s metrics in %s alone, the VMs’ start-up too', (id, ns) => {
    const own = (type: string): Resources => ownedBy(template.findResources(type), id);
    const namespaces = new Set([ns, `${ns}/Startup`]);
    const lambdaNamespaces = Object.values(own('AWS::Lambda::Function'))
      .map(({ Properties }) => JSON.stringify(Properties?.Environment))
      .flatMap((env) =>
        [...env.matchAll(/"POWERTOOLS_METRICS_NAMESPACE":"([^"]*)"/g)].map(([, value]) => value),
      );

    expect(alarmNamespaces(own('AWS::CloudWatch::Alarm'))).toEqual(namespaces);
    expect(dashboardNamespaces(own('AWS::CloudWatch::Dashboard'))).toEqual(namespaces);
    // webhook, scale-up, lifecycle and reaper
    expect(lambdaNamespaces).toEqual([ns, ns, ns, ns]);
    expect(JSON.stringify(own('AWS::EC2::LaunchTemplate'))).toContain(
      `SPOTLAB_STARTUP_NAMESPACE='${ns}/Startup'`,
    );
    expect(JSON.stringify(own('AWS::IAM::Policy'))).toContain(`"cloudwatch:namespace":"${ns}/Startup"`);
  });
});

describe('SpotlabRunners: the shipped stack', () => {
  it('keeps the Spotlab and Spotlab/Startup namespaces for the Spotlab named Spotlab', () => {
    const { template } = synth(shipped);
    const functions = Object.values(template.findResources('AWS::Lambda::Function')).filter(
      ({ Properties }) => Properties?.Environment?.Variables?.POWERTOOLS_METRICS_NAMESPACE !== undefined,
    );

    expect(alarmNamespaces(template.findResources('AWS::CloudWatch::Alarm'))).toEqual(
      new Set(['Spotlab', 'Spotlab/Startup']),
    );
    expect(dashboardNamespaces(template.findResources('AWS::CloudWatch::Dashboard'))).toEqual(
      new Set(['Spotlab', 'Spotlab/Startup']),
    );
    expect(
      functions.map(({ Properties }) => Properties.Environment.Variables.POWERTOOLS_METRICS_NAMESPACE),
    ).toEqual(['Spotlab', 'Spotlab', 'Spotlab', 'Spotlab']);
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).toContain(
      '"cloudwatch:namespace":"Spotlab/Startup"',
    );
  });
});

describe('SpotlabRunners: host resources', () => {
  let template: Template;
  beforeAll(() => {
    const { stack, vpc } = hostStack();
    const boundary = ManagedPolicy.fromManagedPolicyName(stack, 'Boundary', 'platform-boundary');
    const encryptionKey = new Key(stack, 'HostKey', { enableKeyRotation: true });
    new SpotlabRunners(stack, 'Ci', {
      ...settings,
      vpc,
      encryptionKey,
      permissionsBoundary: boundary,
      tags: { team: 'platform' },
    });
    template = Template.fromStack(stack);
  });

  it('encrypts its own alarm topic with the host key, which CloudWatch may then use', () => {
    const [keyId] = Object.keys(template.findResources('AWS::KMS::Key'));

    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    expect(JSON.stringify(template.findResources('AWS::KMS::Key'))).toContain('cloudwatch.amazonaws.com');
  });

  it('applies the permissions boundary to every role and the tags to every resource', () => {
    const roles = Object.values(template.findResources('AWS::IAM::Role'));
    expect(roles.length).toBeGreaterThan(4);
    for (const role of roles)
      expect(JSON.stringify(role.Properties.PermissionsBoundary)).toContain('platform-boundary');
    const queues = Object.values(template.findResources('AWS::SQS::Queue'));
    for (const queue of queues)
      expect(queue.Properties.Tags).toContainEqual({ Key: 'team', Value: 'platform' });
  });
});

describe('SpotlabRunners: invalid props', () => {
  const attempt = (props: SpotlabRunnersProps): SpotlabPropsError => {
    const { stack } = hostStack();
    try {
      new SpotlabRunners(stack, 'Ci', props);
    } catch (error) {
      if (error instanceof SpotlabPropsError) return error;
      throw error;
    }
    throw new Error('no SpotlabPropsError');
  };

  it('names the construct path and every bad prop, as the file names its keys', () => {
    const error = attempt({
      ...settings,
      maxInstances: 0,
      pools: settings.pools.map((pool) => ({ ...pool, instanceTypes: ['m7i.large'] })),
    });

    expect(error.constructPath).toBe('Platform/Ci');
    expect(error.message).toMatch(/^Invalid props of SpotlabRunners Platform\/Ci:/);
    expect(error.problems).toContain('maxInstances: Too small: expected number to be >=1');
    expect(error.problems.some((p) => p.startsWith('pools[0].instanceTypes[0]:'))).toBe(true);
  });

  it('calls the name prop by its own name, not the file’s stackName', () => {
    expect(attempt({ ...settings, name: '1-starts-with-a-digit' }).problems[0]).toMatch(/^name: /);
  });

  it('refuses a host VPC together with the network key', () => {
    const { vpc } = hostStack();

    expect(attempt({ ...settings, vpc, network: { mode: 'create' } }).problems).toEqual([
      'network: give either the vpc prop or the network key, not both',
    ]);
  });
});
