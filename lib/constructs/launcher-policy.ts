import type { Acknowledgment, Stack } from 'aws-cdk-lib';
import type { ISecurityGroup } from 'aws-cdk-lib/aws-ec2';
import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { runnerTokenPrefix, TagKey } from '../../lambdas/shared/naming';

/** What the launcher's EC2, IAM and SSM statements are scoped to. */
export interface LauncherScope {
  readonly launchTemplateIds: readonly string[];
  readonly subnetIds: readonly string[];
  readonly securityGroup: ISecurityGroup;
  readonly instanceRole: IRole;
}

/** A policy statement, and why its wildcard resources (if any) cannot be narrower. */
export interface ScopedStatement {
  readonly statement: PolicyStatement;
  readonly wildcardReason?: string;
}

const LAUNCH = ['ec2:CreateFleet', 'ec2:RunInstances'];
const REQUEST_STACK_TAG = `aws:RequestTag/${TagKey.stack}`;
const RESOURCE_STACK_TAG = `aws:ResourceTag/${TagKey.stack}`;
const CREATED_AT_LAUNCH =
  'Instances, volumes and fleets get their ids at launch; every statement on them requires this ' +
  `stack's ${TagKey.stack} tag, in the request (launch, tag on launch) or on the resource (terminate).`;

/**
 * The scale-up role's EC2, IAM and SSM statements and the cdk-nag acknowledgement of each wildcard
 * they hold. What a launch creates has no id before it, so it is matched by type and held by tag
 * conditions: a launch must tag its instances, volumes and fleet with this stack, and only
 * instances so tagged can be terminated.
 */
export function launcherStatements(
  stack: Stack,
  scope: LauncherScope,
): { statements: PolicyStatement[]; acknowledgements: Acknowledgment[] } {
  const ec2 = (resource: string, resourceName = '*', account?: string) =>
    stack.formatArn({
      service: 'ec2',
      resource,
      resourceName,
      ...(account === undefined ? {} : { account }),
    });
  const stackName = stack.stackName;
  const tagged = [ec2('fleet'), ec2('instance'), ec2('volume')];
  const scoped: ScopedStatement[] = [
    {
      statement: new PolicyStatement({
        sid: 'LaunchOnlyStackTagged',
        actions: LAUNCH,
        resources: tagged,
        conditions: { StringEquals: { [REQUEST_STACK_TAG]: stackName } },
      }),
      wildcardReason: CREATED_AT_LAUNCH,
    },
    {
      statement: new PolicyStatement({
        sid: 'LaunchFromStackTemplates',
        actions: LAUNCH,
        resources: [
          ...scope.launchTemplateIds.map((id) => ec2('launch-template', id)),
          ...scope.subnetIds.map((id) => ec2('subnet', id)),
          ec2('security-group', scope.securityGroup.securityGroupId),
          // Created by every launch and never tagged by Spotlab: primary network interfaces and,
          // for spot, the one-time spot requests. The image and its snapshots are AWS's or the
          // operator's, picked by the launch template.
          ec2('network-interface'),
          ec2('spot-instances-request'),
          ec2('image', '*', ''),
          ec2('snapshot', '*', ''),
        ],
      }),
      wildcardReason:
        'Network interfaces and spot requests are created by the launch with unknown ids, and the ' +
        'image and its snapshots are chosen by the launch templates; the launch itself is held to ' +
        "this stack's templates, subnets and security group, and to stack-tagged instances and volumes.",
    },
    {
      statement: new PolicyStatement({
        sid: 'TagOnlyAtLaunch',
        actions: ['ec2:CreateTags'],
        resources: tagged,
        conditions: {
          StringEquals: {
            'ec2:CreateAction': ['CreateFleet', 'RunInstances'],
            [REQUEST_STACK_TAG]: stackName,
          },
        },
      }),
      wildcardReason: CREATED_AT_LAUNCH,
    },
    ...instanceControlStatements(stack),
    {
      statement: new PolicyStatement({
        sid: 'PassOnlyRunnerRoleToEc2',
        actions: ['iam:PassRole'],
        resources: [scope.instanceRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
      }),
    },
    {
      // Spot launches through the API need the AWSServiceRoleForEC2Spot service-linked role, which
      // EC2 creates on first use when the caller may; only EC2 Spot can assume it.
      statement: new PolicyStatement({
        sid: 'CreateSpotServiceLinkedRole',
        actions: ['iam:CreateServiceLinkedRole'],
        resources: [
          stack.formatArn({
            service: 'iam',
            region: '',
            resource: 'role',
            resourceName: 'aws-service-role/spot.amazonaws.com/AWSServiceRoleForEC2Spot',
          }),
        ],
        conditions: { StringEquals: { 'iam:AWSServiceName': 'spot.amazonaws.com' } },
      }),
    },
    // PutParameter with Tags needs AddTagsToResource too: each token is created with its owner's
    // ARN as a tag, which the instance role's policy checks.
    runnerTokenStatement(stack, ['ssm:PutParameter', 'ssm:AddTagsToResource', 'ssm:DeleteParameter']),
  ];
  return withAcknowledgements(stack, scoped);
}

/** Stack-scoped instance control: terminate only stack-tagged instances; describe (no resource scoping exists). */
export function instanceControlStatements(stack: Stack): ScopedStatement[] {
  const stackName = stack.stackName;
  const ec2 = (resource: string) => stack.formatArn({ service: 'ec2', resource, resourceName: '*' });
  return [
    {
      statement: new PolicyStatement({
        sid: 'TerminateOnlyStackInstances',
        actions: ['ec2:TerminateInstances'],
        resources: [ec2('instance')],
        conditions: { StringEquals: { [RESOURCE_STACK_TAG]: stackName } },
      }),
      wildcardReason: CREATED_AT_LAUNCH,
    },
    {
      statement: new PolicyStatement({
        sid: 'DescribeInstances',
        actions: ['ec2:DescribeInstances'],
        resources: ['*'],
      }),
      wildcardReason: 'ec2:DescribeInstances supports no resource-level permissions; EC2 accepts only "*".',
    },
  ];
}

/** The given SSM actions on this stack's runner token parameters only. */
export function runnerTokenStatement(stack: Stack, actions: string[]): ScopedStatement {
  const tokenPath = runnerTokenPrefix(stack.stackName).replace(/^\//, '');
  return {
    statement: new PolicyStatement({
      sid: 'RunnerTokens',
      actions,
      resources: [stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: `${tokenPath}/*` })],
    }),
    wildcardReason:
      "Runner token parameters are named after instance ids known only after launch; the wildcard covers this stack's token prefix only.",
  };
}

/** The statements, and one cdk-nag acknowledgement per wildcard finding (several may share one). */
export function withAcknowledgements(
  stack: Stack,
  scoped: readonly ScopedStatement[],
): { statements: PolicyStatement[]; acknowledgements: Acknowledgment[] } {
  const acknowledgements = new Map<string, Acknowledgment>();
  for (const { statement, wildcardReason } of scoped) {
    if (wildcardReason === undefined) continue;
    for (const arn of statement.resources.filter((resource) => resource.includes('*'))) {
      const id = iam5Finding(stack, arn);
      if (!acknowledgements.has(id)) acknowledgements.set(id, { id, reason: wildcardReason });
    }
  }
  return {
    statements: scoped.map(({ statement }) => statement),
    acknowledgements: [...acknowledgements.values()],
  };
}

/**
 * The id of a cdk-nag `AwsSolutions-IAM5` finding for a wildcard resource, as cdk-nag spells it:
 * references flattened to `<LogicalId>` / `<LogicalId.Attribute>`, pseudo parameters to
 * `<AWS::Region>`. Acknowledging the exact finding keeps any other wildcard in the same policy
 * reported.
 */
export function iam5Finding(stack: Stack, resourceArn: string): string {
  return `AwsSolutions-IAM5[Resource::${flattenReference(stack.resolve(resourceArn))}]`;
}

function flattenReference(node: unknown): string {
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (typeof node !== 'object' || node === null) return JSON.stringify(node);
  if ('Fn::Join' in node && Array.isArray(node['Fn::Join'])) {
    const [delimiter, items]: unknown[] = node['Fn::Join'];
    return Array.isArray(items) ? items.map(flattenReference).join(String(delimiter)) : '';
  }
  if ('Fn::GetAtt' in node && Array.isArray(node['Fn::GetAtt'])) {
    return `<${node['Fn::GetAtt'].map(flattenReference).join('.')}>`;
  }
  if ('Ref' in node) return `<${flattenReference(node.Ref)}>`;
  return JSON.stringify(node);
}
