import { type Acknowledgment, Stack } from 'aws-cdk-lib';
import type { ISecurityGroup } from 'aws-cdk-lib/aws-ec2';
import { Effect, type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { TagKey } from '../../lambdas/shared/naming';
import { type ScopedStatement, withAcknowledgements } from './nag-acknowledgements';
import { runnerTokenStatement } from './parameter-grants';
import type { LaunchImages } from './runner-launch-templates';
import { spotlabName } from './spotlab-name';

/** What the launcher's EC2, IAM and SSM statements are scoped to. */
export interface ScaleUpScope {
  readonly launchTemplateIds: readonly string[];
  readonly subnetIds: readonly string[];
  readonly securityGroup: ISecurityGroup;
  readonly instanceRole: IRole;
  /** The images the launch templates boot. */
  readonly images: LaunchImages;
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
export function scaleUpStatements(
  owner: Construct,
  scope: ScaleUpScope,
  options: { readonly tagClaimedReadyInstances: boolean } = { tagClaimedReadyInstances: false },
): { statements: PolicyStatement[]; acknowledgements: Acknowledgment[] } {
  const stack = Stack.of(owner);
  const scoped: ScopedStatement[] = [
    ...launchStatements(owner, scope),
    tagOnlyAtLaunch(owner),
    ...(options.tagClaimedReadyInstances ? [claimedProjectTagStatement(owner)] : []),
    ...instanceControlStatements(owner),
    ...passRunnerRole(stack, scope),
    // PutParameter with Tags needs AddTagsToResource too: each token is created with its owner's
    // ARN as a tag, which the instance role's policy checks.
    runnerTokenStatement(owner, ['ssm:PutParameter', 'ssm:AddTagsToResource', 'ssm:DeleteParameter']),
  ];
  return withAcknowledgements(stack, scoped);
}

/**
 * The reaper's grant for launching ready instances (warm capacity): the launch statements of
 * scale-up, word for word, and nothing of its runner tokens (a ready instance has none).
 */
export function warmLaunchStatements(
  owner: Construct,
  scope: ScaleUpScope,
): { statements: PolicyStatement[]; acknowledgements: Acknowledgment[] } {
  const stack = Stack.of(owner);
  return withAcknowledgements(stack, [
    ...launchStatements(owner, scope),
    tagOnlyAtLaunch(owner),
    ...passRunnerRole(stack, scope),
  ]);
}

function tagOnlyAtLaunch(owner: Construct): ScopedStatement {
  return {
    statement: new PolicyStatement({
      sid: 'TagOnlyAtLaunch',
      actions: ['ec2:CreateTags'],
      resources: stackTagged(Stack.of(owner)),
      conditions: {
        StringEquals: {
          'ec2:CreateAction': ['CreateFleet', 'RunInstances'],
          [REQUEST_STACK_TAG]: spotlabName(owner),
        },
      },
    }),
    wildcardReason: CREATED_AT_LAUNCH,
  };
}

function passRunnerRole(stack: Stack, scope: ScaleUpScope): ScopedStatement[] {
  return [
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
  ];
}

/**
 * The one tag scale-up may set after launch: the project tag of a ready (warm) instance it claimed
 * for a job, which the reaper launched untagged by project, so that the per-project cap counts it.
 * Only on this stack's instances, and only that key.
 */
export function claimedProjectTagStatement(owner: Construct): ScopedStatement {
  const stack = Stack.of(owner);
  return {
    statement: new PolicyStatement({
      sid: 'TagClaimedReadyInstancesWithTheirProject',
      actions: ['ec2:CreateTags'],
      resources: [ec2Arn(stack, 'instance')],
      conditions: {
        StringEquals: { [RESOURCE_STACK_TAG]: spotlabName(owner) },
        'ForAllValues:StringEquals': { 'aws:TagKeys': [TagKey.projectId] },
      },
    }),
    wildcardReason: CREATED_AT_LAUNCH,
  };
}

/** Stack-scoped instance control: terminate only stack-tagged instances; describe (no resource scoping exists). */
export function instanceControlStatements(owner: Construct): ScopedStatement[] {
  const stack = Stack.of(owner);
  const stackName = spotlabName(owner);
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

const ec2Arn = (stack: Stack, resource: string, resourceName = '*', account?: string) =>
  stack.formatArn({ service: 'ec2', resource, resourceName, ...(account === undefined ? {} : { account }) });

const stackTagged = (stack: Stack) => ['fleet', 'instance', 'volume'].map((type) => ec2Arn(stack, type));

/**
 * CreateFleet and RunInstances, as EC2 authorises them. A CreateFleet call is checked as
 * `ec2:CreateFleet` on the fleet and on every resource it names or makes, and each instance it
 * launches is checked once more as `ec2:RunInstances` in the caller's name, on the instance,
 * volumes, network interface, subnet, security group, image, snapshots, launch template and spot
 * request, with the condition keys of that launch (fleet errors report `ec2:RunInstances on
 * instance/*` when this fails). So every Allow below names both actions, and a launch succeeds only
 * when every resource is allowed under both.
 *
 * The instance resource carries the launch's own settings: `ec2:LaunchTemplate` (the template's
 * ARN) and the effective metadata options `ec2:MetadataHttpTokens` and
 * `ec2:MetadataHttpPutResponseHopLimit`. They are held by Deny statements on `ec2:RunInstances`, the
 * check every launched instance passes whichever API started it, as AWS's own IMDSv2 examples do:
 * a negated condition also denies when its key is absent, so a RunInstances without a launch
 * template, or one that does not itself set `MetadataOptions` (EC2 derives the key from the request,
 * not the template), is refused too. The CreateFleet check itself is held by the launch-template
 * resource: only this stack's templates are allowed.
 */
function launchStatements(owner: Construct, scope: ScaleUpScope): ScopedStatement[] {
  const stack = Stack.of(owner);
  const templateArns = scope.launchTemplateIds.map((id) => ec2Arn(stack, 'launch-template', id));
  const instances = ec2Arn(stack, 'instance');
  const deny = (sid: string, conditions: Record<string, Record<string, unknown>>): ScopedStatement => ({
    statement: new PolicyStatement({
      sid,
      effect: Effect.DENY,
      actions: ['ec2:RunInstances'],
      resources: [instances],
      conditions,
    }),
  });
  return [
    {
      statement: new PolicyStatement({
        sid: 'LaunchOnlyStackTagged',
        actions: LAUNCH,
        resources: stackTagged(stack),
        conditions: { StringEquals: { [REQUEST_STACK_TAG]: spotlabName(owner) } },
      }),
      wildcardReason: CREATED_AT_LAUNCH,
    },
    {
      statement: new PolicyStatement({
        sid: 'LaunchFromStackTemplates',
        actions: LAUNCH,
        resources: [
          ...templateArns,
          ...scope.subnetIds.map((id) => ec2Arn(stack, 'subnet', id)),
          ec2Arn(stack, 'security-group', scope.securityGroup.securityGroupId),
          // Created by every launch and never tagged by Spotlab: primary network interfaces and,
          // for spot, the one-time spot requests. The snapshots are those of the image.
          ec2Arn(stack, 'network-interface'),
          ec2Arn(stack, 'spot-instances-request'),
          ec2Arn(stack, 'snapshot', '*', ''),
        ],
      }),
      wildcardReason:
        'Network interfaces and spot requests are created by the launch with unknown ids, and the ' +
        "image's snapshots are AWS's or the image owner's; the launch itself is held to this " +
        "stack's templates, subnets, security group and images, and to stack-tagged instances and volumes.",
    },
    ...imageStatements(stack, scope.images),
    deny('DenyLaunchWithoutStackTemplate', { ArnNotEquals: { 'ec2:LaunchTemplate': templateArns } }),
    deny('DenyLaunchWithoutImdsV2', { StringNotEquals: { 'ec2:MetadataHttpTokens': 'required' } }),
    // Hop limit 1: the metadata answer dies one hop out, away from job containers.
    deny('DenyLaunchWithMetadataHops', {
      NumericGreaterThan: { 'ec2:MetadataHttpPutResponseHopLimit': '1' },
    }),
  ];
}

/**
 * The images a launch may boot: Amazon's own (`ec2:Owner` is `amazon` for Amazon Linux) when a
 * pool boots `al2023`, and exactly the AMI ids the other pools name (literal, or resolved from
 * their SSM parameter at deploy, as their launch templates are). Image ARNs have no account.
 */
function imageStatements(stack: Stack, images: LaunchImages): ScopedStatement[] {
  const statements: ScopedStatement[] = [];
  if (images.amazonOwned) {
    statements.push({
      statement: new PolicyStatement({
        sid: 'LaunchAmazonImages',
        actions: LAUNCH,
        resources: [ec2Arn(stack, 'image', '*', '')],
        conditions: { StringEquals: { 'ec2:Owner': 'amazon' } },
      }),
      wildcardReason:
        "Amazon Linux 2023's AMI id changes with every release (it is resolved from AWS's public SSM " +
        'parameter); the wildcard is held to images owned by Amazon.',
    });
  }
  if (images.bakedTagValues.length > 0) {
    // Baked AMIs are resolved at launch (`resolve:ssm:`) and rebuilt weekly: held to this
    // account's images carrying the stack's runner-image tag, which only its pipeline sets.
    statements.push({
      statement: new PolicyStatement({
        sid: 'LaunchBakedImages',
        actions: LAUNCH,
        resources: [ec2Arn(stack, 'image', '*', '')],
        conditions: {
          StringEquals: {
            'ec2:Owner': stack.account,
            'aws:ResourceTag/spotlab:runner-image': images.bakedTagValues,
          },
        },
      }),
      wildcardReason:
        "A baked image's AMI id changes with every build; the wildcard is held to this account's images " +
        "tagged by this stack's Image Builder pipelines.",
    });
  }
  if (images.imageIds.length > 0) {
    statements.push({
      statement: new PolicyStatement({
        sid: 'LaunchPoolImages',
        actions: LAUNCH,
        resources: images.imageIds.map((id) => ec2Arn(stack, 'image', id, '')),
      }),
    });
  }
  return statements;
}
