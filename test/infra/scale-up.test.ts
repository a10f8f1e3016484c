import { Match, type Template } from 'aws-cdk-lib/assertions';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readScaleUpEnv } from '../../lambdas/scale-up/env';
import { parseConfig } from '../../lib/config/load';
import type { SpotlabConfig } from '../../lib/config/schema';
import { nagFindings } from '../support/nag';
import {
  actionsOf,
  shipped as base,
  type Statement,
  statementsOf,
  synth,
  unbundledApp,
} from '../support/template';

const AMI = 'ami-0123456789abcdef0';

/** The shipped configuration on existing subnets, plus a GPU pool on a literal AMI. */
function existingNetworkConfig(overrides: Record<string, unknown> = {}): Readonly<SpotlabConfig> {
  return parseConfig(
    JSON.stringify({
      ...base,
      network: {
        mode: 'existing',
        vpcId: 'vpc-0a1b2c3d4e5f60718',
        subnetIds: ['subnet-0aaa1111', 'subnet-0bbb2222'],
      },
      pools: [
        ...base.pools,
        {
          name: 'gpu',
          tags: ['gpu'],
          instanceRequirements: {
            vCpuCount: { min: 4, max: 32 },
            memoryMiB: { min: 16_384 },
            acceleratorTypes: ['gpu'],
            acceleratorManufacturers: ['nvidia'],
          },
          architecture: 'x86_64',
          image: AMI,
          diskSizeGiB: 100,
          maxInstances: 2,
        },
      ],
      ...overrides,
    }),
  );
}

interface Synthesised {
  readonly template: Template;
  readonly findings: string[];
}

function synthesise(config: Readonly<SpotlabConfig>): Synthesised {
  const { template, outdir } = synth(config);
  return { template, findings: nagFindings(outdir) };
}

const bySid = (statements: Statement[], sid: string): Statement => {
  const found = statements.find((s) => s.Sid === sid);
  if (found === undefined) throw new Error(`no statement ${sid}`);
  return found;
};

/** CloudFormation intrinsics flattened to text: `Ref` becomes the logical id. */
function flatten(node: unknown): string {
  if (typeof node === 'string' || typeof node === 'number') return String(node);
  const join = z.object({ 'Fn::Join': z.tuple([z.string(), z.array(z.unknown())]) }).safeParse(node);
  if (join.success) return join.data['Fn::Join'][1].map(flatten).join(join.data['Fn::Join'][0]);
  const ref = z.object({ Ref: z.string() }).safeParse(node);
  if (ref.success) return ref.data.Ref;
  const getAtt = z.object({ 'Fn::GetAtt': z.array(z.string()) }).safeParse(node);
  if (getAtt.success) return getAtt.data['Fn::GetAtt'].join('.');
  return JSON.stringify(node);
}

const resourcesOf = (template: Template, type: string) => Object.values(template.findResources(type));
const launchTemplates = (template: Template) =>
  resourcesOf(template, 'AWS::EC2::LaunchTemplate').map((lt) => lt.Properties.LaunchTemplateData);

/** The scale-up function: the one whose environment carries the pools. */
function scaleUpFunction(template: Template): { Timeout: number; Environment: { Variables: unknown } } {
  const fn = resourcesOf(template, 'AWS::Lambda::Function').find(
    (f) => f.Properties.Environment?.Variables?.POOLS !== undefined,
  );
  return z
    .object({ Timeout: z.number(), Environment: z.object({ Variables: z.unknown() }) })
    .parse(fn?.Properties);
}

function scaleUpEnvironment(template: Template): Record<string, string> {
  const variables = z.record(z.string(), z.unknown()).parse(scaleUpFunction(template).Environment.Variables);
  return Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, flatten(value)]));
}

let created: Synthesised;
let existing: Synthesised;

beforeAll(() => {
  created = synthesise(base);
  existing = synthesise(existingNetworkConfig());
});

describe('Spotlab launcher: runner VMs', () => {
  it('requires IMDSv2 with a hop limit of 1 on every pool, so job containers cannot reach the role', () => {
    const templates = launchTemplates(existing.template);

    expect(templates).toHaveLength(3);
    for (const data of templates) {
      expect(data.MetadataOptions).toMatchObject({ HttpTokens: 'required', HttpPutResponseHopLimit: 1 });
    }
  });

  it("gives every VM an encrypted gp3 root of the pool's size and terminates it when it powers off", () => {
    const sizes = launchTemplates(existing.template).map((data) => {
      expect(data.InstanceInitiatedShutdownBehavior).toBe('terminate');
      expect(data.BlockDeviceMappings).toHaveLength(1);
      const [root] = data.BlockDeviceMappings;
      expect(root).toMatchObject({ DeviceName: '/dev/xvda', Ebs: { VolumeType: 'gp3', Encrypted: true } });
      return root.Ebs.VolumeSize;
    });

    expect(sizes.sort()).toEqual([100, 30, 30]);
  });

  it('lets nobody in: no key pair and a security group without ingress rules', () => {
    for (const data of launchTemplates(created.template)) expect(data.KeyName).toBeUndefined();
    const groups = resourcesOf(created.template, 'AWS::EC2::SecurityGroup');

    expect(groups).toHaveLength(1);
    expect(groups[0]?.Properties.SecurityGroupIngress).toBeUndefined();
    created.template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    expect(groups[0]?.Properties.SecurityGroupEgress).toEqual([
      expect.objectContaining({ CidrIp: '0.0.0.0/0', IpProtocol: '-1' }),
    ]);
  });

  it('leaves instance and volume tags to CreateFleet: the templates specify none', () => {
    for (const data of launchTemplates(created.template)) expect(data.TagSpecifications).toBeUndefined();
  });

  it("resolves al2023 through the public SSM parameter of the pool's architecture", () => {
    const parameters = Object.values(created.template.toJSON().Parameters ?? {}).map((p) =>
      z.object({ Default: z.string() }).parse(p),
    );

    expect(parameters.map((p) => p.Default)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\/aws\/service\/ami-amazon-linux-latest\/al2023-ami-kernel-.*-arm64$/),
        expect.stringMatching(/^\/aws\/service\/ami-amazon-linux-latest\/al2023-ami-kernel-.*-x86_64$/),
      ]),
    );
  });

  it("renders the bootstrap with the stack's token prefix, the pool's idle timeout and the cache bucket", () => {
    const [data] = launchTemplates(created.template);
    const script = flatten(data.UserData['Fn::Base64']);

    expect(script).toMatch(/^#!\/bin\/bash\n/);
    expect(script).toContain("SPOTLAB_TOKEN_PREFIX='/spotlab/Spotlab/runner-token'");
    expect(script).toContain("SPOTLAB_WAIT_TIMEOUT_SECONDS='300'");
    expect(script).toMatch(/SPOTLAB_CACHE_BUCKET='CacheBucket\w+'/);
    expect(script).not.toMatch(/glrt-|glpat-/);
  });
});

describe('Spotlab launcher: runner instance role', () => {
  it("may only read and delete runner tokens under its stack's prefix and use the cache bucket", () => {
    const statements = statementsOf(created.template, 'FleetInstanceRole');
    const grants = statements.map((s) => `${actionsOf(s).join(',')} ${flatten(s.Resource)}`);

    expect(grants.sort()).toEqual([
      'cloudwatch:PutMetricData *',
      's3:GetObject,s3:PutObject CacheBucket664BE8D7.Arn/*',
      's3:ListBucket CacheBucket664BE8D7.Arn',
      'ssm:DeleteParameter,ssm:GetParameter arn:AWS::Partition:ssm:AWS::Region:AWS::AccountId:parameter/spotlab/Spotlab/runner-token/*',
    ]);
  });

  it('gets no AWS managed policy (no SSM agent core, no admin)', () => {
    for (const role of resourcesOf(created.template, 'AWS::IAM::Role'))
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('gets no S3 permission and no bucket when the cache is disabled', () => {
    const { template, findings } = synthesise(existingNetworkConfig({ cache: { enabled: false } }));

    template.resourceCountIs('AWS::S3::Bucket', 0);
    expect(statementsOf(template, 'FleetInstanceRole').flatMap(actionsOf)).toEqual([
      'ssm:DeleteParameter',
      'ssm:GetParameter',
      'cloudwatch:PutMetricData',
    ]);
    expect(launchTemplates(template).map((d) => flatten(d.UserData['Fn::Base64']))).toEqual(
      Array(3).fill(expect.stringContaining("SPOTLAB_CACHE_BUCKET=''")),
    );
    expect(findings).toEqual([]);
  });
});

describe('Spotlab launcher: scale-up permissions', () => {
  const launcher = () => statementsOf(created.template, 'ScaleUpRole');
  const stackTag = { 'aws:RequestTag/spotlab:stack': 'Spotlab' };

  it("allows CreateFleet and RunInstances to create instances, volumes and fleets only with the stack's tag", () => {
    const statement = bySid(launcher(), 'LaunchOnlyStackTagged');

    expect(actionsOf(statement).sort()).toEqual(['ec2:CreateFleet', 'ec2:RunInstances']);
    expect(z.array(z.unknown()).parse(statement.Resource).map(flatten)).toEqual([
      expect.stringMatching(/:fleet\/\*$/),
      expect.stringMatching(/:instance\/\*$/),
      expect.stringMatching(/:volume\/\*$/),
    ]);
    expect(statement.Condition).toEqual({ StringEquals: stackTag });
  });

  it("launches only from the stack's launch templates, subnets and security group", () => {
    const resources = z
      .array(z.unknown())
      .parse(bySid(launcher(), 'LaunchFromStackTemplates').Resource)
      .map(flatten);

    expect(resources.filter((r) => r.includes(':launch-template/'))).toEqual([
      expect.stringMatching(/launch-template\/FleetPoolarmdocker\w+$/),
      expect.stringMatching(/launch-template\/FleetPoolx86docker\w+$/),
    ]);
    expect(resources.filter((r) => r.includes(':subnet/'))).toHaveLength(3);
    expect(resources.filter((r) => r.includes(':security-group/'))).toEqual([
      expect.stringMatching(/security-group\/NetworkRunnerSecurityGroup\w+\.GroupId$/),
    ]);
    for (const type of ['launch-template', 'subnet', 'security-group', 'instance', 'volume'])
      expect(resources).not.toContainEqual(expect.stringMatching(new RegExp(`:${type}/\\*$`)));
  });

  it('tags only at launch, by CreateFleet or RunInstances, with the stack tag', () => {
    const statements = launcher().filter((s) => actionsOf(s).includes('ec2:CreateTags'));

    expect(statements.map((s) => s.Condition)).toEqual([
      { StringEquals: { 'ec2:CreateAction': ['CreateFleet', 'RunInstances'], ...stackTag } },
    ]);
  });

  it("writes the job table only with the ledger's conditional writes, and only reads the interruption log", () => {
    const dynamo = launcher().filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));

    expect(dynamo.map((s) => actionsOf(s).sort().join(','))).toEqual([
      'dynamodb:DeleteItem,dynamodb:PutItem,dynamodb:UpdateItem',
      'dynamodb:BatchGetItem',
    ]);
    expect(JSON.stringify(dynamo[0]?.Resource)).toContain('LauncherJobs');
    expect(JSON.stringify(dynamo[1]?.Resource)).toContain('InterruptionLogTable');
  });

  it('terminates only instances that carry the stack tag', () => {
    const statements = launcher().filter((s) => actionsOf(s).includes('ec2:TerminateInstances'));

    expect(statements).toHaveLength(1);
    expect(flatten(statements[0]?.Resource)).toMatch(/:instance\/\*$/);
    expect(statements[0]?.Condition).toEqual({
      StringEquals: { 'aws:ResourceTag/spotlab:stack': 'Spotlab' },
    });
  });

  it('passes only the runner instance role, and only to EC2', () => {
    const statements = launcher().filter((s) => actionsOf(s).includes('iam:PassRole'));

    expect(statements).toHaveLength(1);
    expect(flatten(statements[0]?.Resource)).toMatch(/^FleetInstanceRole\w+\.Arn$/);
    expect(statements[0]?.Condition).toEqual({
      StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' },
    });
  });

  it('sends only to the demand queue, so a waiting job can be re-sent with a delay', () => {
    const sqs = launcher().filter((s) => actionsOf(s).some((a) => a.startsWith('sqs:Send')));

    expect(sqs.map((s) => `${actionsOf(s).join(',')} ${flatten(s.Resource)}`)).toEqual([
      expect.stringMatching(
        /^sqs:GetQueueAttributes,sqs:GetQueueUrl,sqs:SendMessage QueuesDemand[0-9A-F]{8}\.Arn$/,
      ),
    ]);
  });

  it('uses "*" only for DescribeInstances, which has no resource-level permissions', () => {
    const unscoped = launcher().filter((s) => s.Resource === '*');

    expect(unscoped.flatMap(actionsOf)).toEqual(['ec2:DescribeInstances']);
  });

  it("writes runner tokens only under the stack's prefix and reads only the GitLab API token", () => {
    const ssm = launcher().filter((s) => actionsOf(s).some((a) => a.startsWith('ssm:')));
    const grants = ssm.map((s) => `${actionsOf(s).join(',')} ${flatten(s.Resource)}`);

    expect(grants).toEqual([
      expect.stringMatching(/^ssm:GetParameter .*:parameter\/spotlab\/gitlab-api-token$/),
      expect.stringMatching(
        /^ssm:AddTagsToResource,ssm:DeleteParameter,ssm:PutParameter .*:parameter\/spotlab\/Spotlab\/runner-token\/\*$/,
      ),
    ]);
  });
});

describe('Spotlab launcher: scale-up function', () => {
  it('runs on arm64 with 512 MB and a 60 s timeout', () => {
    created.template.hasResourceProperties('AWS::Lambda::Function', {
      Architectures: ['arm64'],
      MemorySize: 512,
      Timeout: 60,
      Environment: { Variables: Match.objectLike({ STACK_NAME: 'Spotlab' }) },
    });
  });

  it('reads the demand queue in batches of up to 50 within 1 s, reports item failures, two at a time', () => {
    created.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^QueuesDemand'), 'Arn'] },
      BatchSize: 50,
      MaximumBatchingWindowInSeconds: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
  });

  it("keeps the demand queue's visibility timeout at least six times the function's timeout", () => {
    const [demand] = Object.entries(created.template.findResources('AWS::SQS::Queue'))
      .filter(([id]) => /^QueuesDemand[0-9A-F]{8}$/.test(id))
      .map(([, queue]) => queue.Properties.VisibilityTimeout);

    expect(demand).toBeGreaterThanOrEqual(6 * scaleUpFunction(created.template).Timeout);
  });

  it('hands scale-up the allow-lists and the project cap the configuration sets', () => {
    const config = existingNetworkConfig({
      gitlab: { ...base.gitlab, allowedProjects: [380], allowedNamespaces: ['acme/platform'] },
      maxInstancesPerProject: 5,
    });
    const env = readScaleUpEnv(scaleUpEnvironment(synth(config).template));

    expect(env.admission).toEqual({ allowedProjects: [380], allowedNamespaces: ['acme/platform'] });
    expect(env.limits.maxInstancesPerProject).toBe(5);
    expect(readScaleUpEnv(scaleUpEnvironment(existing.template)).admission).toEqual({});
  });

  it('gives the one project an allow-list admits the whole fleet when no project cap is set', () => {
    const config = existingNetworkConfig({ gitlab: { ...base.gitlab, allowedProjects: [380] } });
    const env = readScaleUpEnv(scaleUpEnvironment(synth(config).template));

    expect(env.limits.maxInstancesPerProject).toBe(20);
  });

  it('hands scale-up an environment that its own settings schema accepts', () => {
    const env = readScaleUpEnv(scaleUpEnvironment(existing.template));

    expect(env.subnetIds).toEqual(['subnet-0aaa1111', 'subnet-0bbb2222']);
    expect(env.limits).toEqual({ maxInstances: 20, maxSpendPerHourUsd: 5, maxInstancesPerProject: 10 });
    expect(
      env.pools.map((p) => [p.name, p.jobTimeoutSeconds, p.launchTemplateId.startsWith('FleetPool')]),
    ).toEqual([
      ['arm-docker', 3600, true],
      ['x86-docker', 3600, true],
      ['gpu', 3600, true],
    ]);
    expect(env.pools[2]?.instanceRequirements).toEqual({
      vCpuCount: { min: 4, max: 32 },
      memoryMiB: { min: 16_384 },
      acceleratorTypes: ['gpu'],
      acceleratorManufacturers: ['nvidia'],
    });
    expect(env.shapeTags).toEqual({ cpuPrefix: 'cpu:', memoryGiBPrefix: 'mem:' });
    expect(env.ec2LaunchRate).toEqual({ burst: 1_000, perSecond: 2 });
  });
});

describe('Spotlab launcher: job table and cache', () => {
  it('keys jobs by numeric jobId, indexes them by instance, by launch instance and by openness, bills per request, expires items by expiresAt and keeps PITR', () => {
    created.template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'jobId', KeyType: 'HASH' }],
      AttributeDefinitions: [
        { AttributeName: 'jobId', AttributeType: 'N' },
        { AttributeName: 'instanceId', AttributeType: 'S' },
        { AttributeName: 'launchInstanceId', AttributeType: 'S' },
        { AttributeName: 'openShard', AttributeType: 'N' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byInstance',
          KeySchema: [{ AttributeName: 'instanceId', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'ALL' },
        },
        {
          IndexName: 'byLaunchInstance',
          KeySchema: [{ AttributeName: 'launchInstanceId', KeyType: 'HASH' }],
          Projection: {
            ProjectionType: 'INCLUDE',
            NonKeyAttributes: ['launchRunnerId', 'launchWarned', 'runnersDeleted'],
          },
        },
        Match.objectLike({ IndexName: 'open' }),
      ],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });

  it('keeps the cache private, encrypted, TLS-only and expiring, and and keeps it by default when the stack is deleted', () => {
    const buckets = created.template.findResources('AWS::S3::Bucket');
    const [bucket] = Object.values(buckets);

    expect(Object.keys(buckets)).toHaveLength(1);
    expect(bucket?.DeletionPolicy).toBe('Retain');
    expect(bucket?.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: {
        Rules: [expect.objectContaining({ ExpirationInDays: 14, Status: 'Enabled' })],
      },
    });
    created.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    created.template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
    created.template.hasOutput('CacheBucketName', { Value: { Ref: Match.stringLikeRegexp('^CacheBucket') } });
  });
});

describe('Spotlab launcher: network', () => {
  it('creates public subnets in maxAzs zones and no NAT gateway, so idle costs nothing', () => {
    const subnets = resourcesOf(created.template, 'AWS::EC2::Subnet');

    created.template.resourceCountIs('AWS::EC2::VPC', 1);
    created.template.resourceCountIs('AWS::EC2::NatGateway', 0);
    expect(subnets).toHaveLength(3);
    for (const subnet of subnets) expect(subnet.Properties.MapPublicIpOnLaunch).toBe(true);
  });

  it("logs the VPC's traffic to a log group with bounded retention", () => {
    created.template.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
      LogGroupName: { Ref: Match.stringLikeRegexp('^NetworkFlowLogs') },
    });
    created.template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('with existing subnets, creates no VPC and launches into exactly those subnets', () => {
    existing.template.resourceCountIs('AWS::EC2::VPC', 0);
    existing.template.hasResourceProperties('AWS::EC2::SecurityGroup', { VpcId: 'vpc-0a1b2c3d4e5f60718' });
    const resources = z
      .array(z.unknown())
      .parse(bySid(statementsOf(existing.template, 'ScaleUpRole'), 'LaunchFromStackTemplates').Resource)
      .map(flatten)
      .filter((r) => r.includes(':subnet/'));

    expect(resources).toEqual([
      expect.stringMatching(/:subnet\/subnet-0aaa1111$/),
      expect.stringMatching(/:subnet\/subnet-0bbb2222$/),
    ]);
  });

  it('boots the GPU pool from its literal AMI id', () => {
    const images = launchTemplates(existing.template).map((data) => data.ImageId);

    expect(images).toContainEqual(AMI);
  });
});

describe('Spotlab launcher: cdk-nag', () => {
  it('leaves no AwsSolutions finding unacknowledged, with a created or an existing network', () => {
    expect(created.findings).toEqual([]);
    expect(existing.findings).toEqual([]);
  });

  it('acknowledges only the exact wildcards it needs: another one on the launcher role fails synthesis', () => {
    const { app, stack } = unbundledApp(base);
    stack.runners.scaleUp.function.addToRolePolicy(
      new PolicyStatement({ actions: ['ec2:StopInstances'], resources: ['arn:aws:ec2:*:*:instance/*'] }),
    );

    expect(() => app.synth()).toThrow(/AwsSolutions-IAM5/);
  });
});
