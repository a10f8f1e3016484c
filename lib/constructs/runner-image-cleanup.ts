import { Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnLifecyclePolicy } from 'aws-cdk-lib/aws-imagebuilder';
import type { Construct } from 'constructs';
import { iam5Finding } from './nag-acknowledgements';
import { spotlabName } from './spotlab-name';

/** What {@link imageCleanup} deletes. */
export interface ImageCleanupProps {
  /** Name of the recipe and pipeline, which names the policy and the Image Builder images. */
  readonly name: string;
  /** Tag the pipeline puts on every image it builds, whatever the recipe version. */
  readonly tag: Readonly<Record<string, string>>;
  /** Images kept; older ones are deleted. */
  readonly keepImages: number;
}

/**
 * An Image Builder lifecycle policy that keeps the newest `keepImages` images of one pipeline and
 * deletes the rest: the Image Builder image, its AMI and the AMI's snapshots (the snapshots are what
 * costs). Selected by the pipeline's image tag, so images of earlier recipe versions are covered.
 * Its role replaces EC2ImageBuilderLifecycleExecutionPolicy with statements for these images only.
 */
export function imageCleanup(scope: Construct, props: ImageCleanupProps): CfnLifecyclePolicy {
  const stack = Stack.of(scope);
  const role = new Role(scope, 'CleanupRole', {
    assumedBy: new ServicePrincipal('imagebuilder.amazonaws.com'),
    description: `Spotlab ${spotlabName(scope)}: deletes old images of ${props.name}`,
  });
  const images = stack.formatArn({
    service: 'imagebuilder',
    resource: 'image',
    resourceName: `${props.name}/*`,
  });
  const amis = stack.formatArn({ service: 'ec2', account: '', resource: 'image', resourceName: '*' });
  const snapshots = stack.formatArn({ service: 'ec2', account: '', resource: 'snapshot', resourceName: '*' });
  // Image Builder tags what it creates CreatedBy = EC2 Image Builder; ours also carry the pipeline tag.
  const [[tagKey, tagValue] = ['', '']] = Object.entries(props.tag);
  const statements = [
    new PolicyStatement({
      sid: 'DeleteOwnImages',
      actions: ['imagebuilder:GetImage', 'imagebuilder:DeleteImage'],
      resources: [images],
    }),
    new PolicyStatement({
      sid: 'DeregisterOwnAmis',
      actions: ['ec2:DeregisterImage'],
      resources: [amis],
      conditions: { StringEquals: { [`aws:ResourceTag/${tagKey}`]: tagValue } },
    }),
    new PolicyStatement({
      sid: 'DeleteImageBuilderSnapshots',
      actions: ['ec2:DeleteSnapshot'],
      resources: [snapshots],
      conditions: { StringEquals: { 'aws:ResourceTag/CreatedBy': 'EC2 Image Builder' } },
    }),
    // Describe and list calls take no resource-level permissions.
    new PolicyStatement({
      sid: 'FindImages',
      actions: [
        'ec2:DescribeImages',
        'ec2:DescribeImageAttribute',
        'ec2:DescribeSnapshots',
        'imagebuilder:ListImages',
        'tag:GetResources',
      ],
      resources: ['*'],
    }),
  ];
  for (const statement of statements) role.addToPrincipalPolicy(statement);
  Validations.of(role).acknowledge(
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Describe and list calls support no resource-level permissions.',
    },
    { id: iam5Finding(stack, images), reason: "Build versions of this pipeline's own images only." },
    {
      id: iam5Finding(stack, amis),
      reason: "AMI ids are unknown until built; a condition narrows it to this pipeline's tag.",
    },
    {
      id: iam5Finding(stack, snapshots),
      reason:
        'Snapshot ids are unknown until built; a condition narrows it to snapshots Image Builder created.',
    },
  );
  return new CfnLifecyclePolicy(scope, 'Cleanup', {
    name: props.name,
    description: `Keeps the newest ${props.keepImages} images of ${props.name}`,
    executionRole: role.roleArn,
    resourceType: 'AMI_IMAGE',
    status: 'ENABLED',
    resourceSelection: { tagMap: { ...props.tag } },
    policyDetails: [
      {
        action: { type: 'DELETE', includeResources: { amis: true, snapshots: true } },
        filter: { type: 'COUNT', value: props.keepImages },
      },
    ],
  });
}
