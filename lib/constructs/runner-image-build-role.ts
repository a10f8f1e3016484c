import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { iam5Finding } from './nag-acknowledgements';
import { spotlabName } from './spotlab-name';

/**
 * The build instance's role, instead of EC2InstanceProfileForImageBuilder and
 * AmazonSSMManagedInstanceCore: the SSM agent's command channel Image Builder builds through,
 * this recipe's component document, AWSTOE's own bucket, and this recipe's build logs.
 */
export function imageBuildRole(scope: Construct, name: string): Role {
  const stack = Stack.of(scope);
  const role = new Role(scope, 'BuildRole', {
    assumedBy: new ServicePrincipal('ec2.amazonaws.com'),
    description: `Spotlab ${spotlabName(scope)}: Image Builder build instance of ${name}`,
  });
  const component = stack.formatArn({
    service: 'imagebuilder',
    resource: 'component',
    resourceName: `${name}/*`,
  });
  const toeBucket = 'arn:aws:s3:::ec2imagebuilder*';
  const logs = stack.formatArn({
    service: 'logs',
    resource: 'log-group',
    resourceName: `/aws/imagebuilder/${name}:*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  const statements = [
    // Run Command's channel (the SSM agent); these actions take no resource-level permissions.
    new PolicyStatement({
      sid: 'SsmAgentChannel',
      actions: [
        'ssm:UpdateInstanceInformation',
        'ssmmessages:CreateControlChannel',
        'ssmmessages:CreateDataChannel',
        'ssmmessages:OpenControlChannel',
        'ssmmessages:OpenDataChannel',
        'ec2messages:AcknowledgeMessage',
        'ec2messages:DeleteMessage',
        'ec2messages:FailMessage',
        'ec2messages:GetEndpoint',
        'ec2messages:GetMessages',
        'ec2messages:SendReply',
      ],
      resources: ['*'],
    }),
    new PolicyStatement({
      sid: 'OwnComponent',
      actions: ['imagebuilder:GetComponent'],
      resources: [component],
    }),
    new PolicyStatement({ sid: 'AwstoeBinary', actions: ['s3:GetObject'], resources: [`${toeBucket}/*`] }),
    new PolicyStatement({
      sid: 'BuildLogs',
      actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logs],
    }),
  ];
  for (const statement of statements) role.addToPrincipalPolicy(statement);
  Validations.of(role).acknowledge(
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'The SSM agent channel actions (ssm:UpdateInstanceInformation, ssmmessages, ec2messages) support no resource-level permissions.',
    },
    { id: iam5Finding(stack, component), reason: "Build versions of this recipe's own component only." },
    {
      id: iam5Finding(stack, `${toeBucket}/*`),
      reason: "AWSTOE's binaries live in Image Builder's Regional buckets, named ec2imagebuilder-*.",
    },
    { id: iam5Finding(stack, logs), reason: "Log streams of this recipe's builds only." },
  );
  return role;
}
