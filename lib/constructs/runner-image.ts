import { createHash } from 'node:crypto';
import { Aws, Stack, Validations } from 'aws-cdk-lib';
import type { ISecurityGroup } from 'aws-cdk-lib/aws-ec2';
import { type IGrantable, InstanceProfile, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  CfnComponent,
  CfnDistributionConfiguration,
  CfnImagePipeline,
  CfnImageRecipe,
  CfnInfrastructureConfiguration,
} from 'aws-cdk-lib/aws-imagebuilder';
import { ParameterDataType, StringParameter } from 'aws-cdk-lib/aws-ssm';
import { AwsCustomResource, AwsCustomResourcePolicy } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { bakeComponentDocument } from '../bootstrap/image-component';
import { imageBuildRole } from './runner-image-build-role';
import { imageCleanup } from './runner-image-cleanup';
import { spotlabName } from './spotlab-name';

/** Properties of {@link RunnerImage}. */
export interface RunnerImageProps {
  /** CPU architecture of the image (one pipeline per architecture the baked pools use). */
  readonly architecture: 'x86_64' | 'arm64';
  /** gitlab-runner release baked in; the recipe version derives from it. */
  readonly runnerVersion: string;
  /** Job images pulled into the image, for every baked pool of this architecture. */
  readonly prePulledImages: readonly string[];
  /** When Image Builder rebuilds the image (its cron syntax), e.g. `cron(0 4 ? * mon *)`. */
  readonly scheduleExpression: string;
  /** Images kept; older ones are deregistered with their snapshots. */
  readonly keepImages: number;
  /** Subnet of the build instance: it needs outbound access to dnf, GitLab, registries and SSM. */
  readonly subnetId: string;
  /** Security group of the build instance (no inbound traffic). */
  readonly securityGroup: ISecurityGroup;
}

/** Tag on the baked AMIs (and Image Builder images) naming their stack and architecture. */
export const RUNNER_IMAGE_TAG = 'spotlab:runner-image';

/** SSM parameter holding the newest baked AMI id of a stack and architecture. */
export function runnerImageParameter(stackName: string, architecture: string): string {
  return `/spotlab/${stackName}/runner-image/${architecture}`;
}

// The id CDK gives the singleton Lambda behind every AwsCustomResource of a stack.
const AWS_CUSTOM_RESOURCE_PROVIDER = 'AWS679f53fac002430cb0da5b7982bd2287';
const PUBLIC_AL2023 = (arch: string) =>
  `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${arch}`;
const BUILD_INSTANCE_TYPE = { x86_64: 't3.small', arm64: 't4g.small' } as const;

/**
 * Image Builder components and recipes are immutable per version: the version carries the runner
 * release, and the patch number also a revision of the bake document, so that another image list
 * or bake script at the same runner release is a new version instead of a failed replacement.
 */
export function recipeVersion(runnerVersion: string, document: string): string {
  const [major = '0', minor = '0', patch = '0'] = runnerVersion.split('.');
  const revision =
    Number.parseInt(createHash('sha256').update(document).digest('hex').slice(0, 8), 16) % 10_000;
  return `${major}.${minor}.${Number(patch) * 10_000 + revision}`;
}

/**
 * A baked runner image for one architecture: an Image Builder pipeline that starts from the latest
 * Amazon Linux 2023, installs Docker and the pinned, checksum-verified gitlab-runner, pulls the
 * helper image and the pools' pre-pulled images, trims the boot, and publishes the AMI id to an SSM
 * parameter the baked pools' launch templates resolve at each launch. Rebuilt on a schedule and
 * whenever the recipe version changes; old images are deleted with their snapshots.
 */
export class RunnerImage extends Construct {
  /** Name of the SSM parameter holding the newest AMI id (the stock AL2023 one until the first build). */
  readonly parameterName: string;
  /** ARN of that parameter. */
  readonly parameterArn: string;
  /** Value of the `spotlab:runner-image` tag on every AMI the pipeline builds. */
  readonly tagValue: string;

  constructor(scope: Construct, id: string, props: RunnerImageProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const arch = props.architecture;
    const name = `spotlab-${spotlabName(this)}-runner-${arch}`.toLowerCase();
    const document = bakeComponentDocument({
      arch,
      runnerVersion: props.runnerVersion,
      prePulledImages: props.prePulledImages,
    });
    const version = recipeVersion(props.runnerVersion, document);

    // Seeded with the stock AL2023 image so that a baked pool launches (and bootstraps the stock
    // way) before the first build; each build overwrites it. CloudFormation resolves the dynamic
    // reference only when this resource changes, so a deploy does not undo a build.
    this.parameterName = runnerImageParameter(spotlabName(this), arch);
    // The name as a literal, not the resource's Ref: IAM statements and `resolve:ssm:` name it.
    this.parameterArn = stack.formatArn({
      service: 'ssm',
      resource: 'parameter',
      resourceName: this.parameterName.slice(1),
    });
    const parameter = new StringParameter(this, 'ImageId', {
      parameterName: this.parameterName,
      stringValue: `{{resolve:ssm:${PUBLIC_AL2023(arch)}}}`,
      dataType: ParameterDataType.AWS_EC2_IMAGE,
      description: `Newest Spotlab baked runner image (${arch}), written by Image Builder`,
    });

    const component = new CfnComponent(this, 'Bake', {
      name,
      version,
      platform: 'Linux',
      supportedOsVersions: ['Amazon Linux 2023'],
      description: `Spotlab runner bake, gitlab-runner ${props.runnerVersion}`,
      data: document,
    });
    const recipe = new CfnImageRecipe(this, 'Recipe', {
      name,
      version,
      // Resolved at each build: the weekly rebuild starts from the newest AL2023 release.
      parentImage: `ssm:${PUBLIC_AL2023(arch)}`,
      components: [{ componentArn: component.attrArn }],
      // The agent Image Builder drives the build through: a runner VM has no use for it, and its
      // role grants it nothing.
      additionalInstanceConfiguration: { systemsManagerAgent: { uninstallAfterBuild: true } },
    });

    const buildRole = imageBuildRole(this, name);
    const infrastructure = new CfnInfrastructureConfiguration(this, 'Infrastructure', {
      name,
      instanceProfileName: new InstanceProfile(this, 'BuildProfile', { role: buildRole }).instanceProfileName,
      instanceTypes: [BUILD_INSTANCE_TYPE[arch]],
      subnetId: props.subnetId,
      securityGroupIds: [props.securityGroup.securityGroupId],
      terminateInstanceOnFailure: true,
      instanceMetadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1 },
    });
    this.tagValue = `${spotlabName(this)}-${arch}`;
    const tag = { [RUNNER_IMAGE_TAG]: this.tagValue };
    const distribution = new CfnDistributionConfiguration(this, 'Distribution', {
      name,
      distributions: [
        {
          region: Aws.REGION,
          // Untyped in the L1 (any): CloudFormation's own PascalCase keys.
          amiDistributionConfiguration: { Name: `${name}-{{ imagebuilder:buildDate }}`, AmiTags: tag },
          ssmParameterConfigurations: [{ parameterName: this.parameterName, dataType: 'aws:ec2:image' }],
        },
      ],
    });
    const pipeline = new CfnImagePipeline(this, 'Pipeline', {
      name,
      imageRecipeArn: recipe.attrArn,
      infrastructureConfigurationArn: infrastructure.attrArn,
      distributionConfigurationArn: distribution.attrArn,
      // No test phase: it would boot the image with the SSM agent the recipe removes.
      imageTestsConfiguration: { imageTestsEnabled: false },
      schedule: {
        scheduleExpression: props.scheduleExpression,
        pipelineExecutionStartCondition: 'EXPRESSION_MATCH_ONLY',
      },
      imageTags: tag,
    });
    imageCleanup(this, { name, tag, keepImages: props.keepImages });

    // A new recipe version (another runner release or image list) builds at once rather than at
    // the next scheduled run. The client token is the version, so a redeploy starts nothing.
    const start = {
      service: 'Imagebuilder',
      action: 'StartImagePipelineExecution',
      parameters: { imagePipelineArn: pipeline.attrArn, clientToken: `${name}-${version}` },
      physicalResourceId: { id: `${name}-${version}` },
    };
    const buildOnChange = new AwsCustomResource(this, 'BuildOnChange', {
      onCreate: start,
      onUpdate: start,
      installLatestAwsSdk: false,
      policy: AwsCustomResourcePolicy.fromStatements([
        new PolicyStatement({
          actions: ['imagebuilder:StartImagePipelineExecution'],
          resources: [pipeline.attrArn],
        }),
      ]),
    });
    // The first build overwrites the seeded parameter: it must exist by then.
    buildOnChange.node.addDependency(parameter);
    // The provider function is a stack-wide singleton CDK creates beside the first custom resource.
    const provider = stack.node.tryFindChild(AWS_CUSTOM_RESOURCE_PROVIDER);
    Validations.of(provider ?? buildOnChange).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        "CDK's custom-resource provider writes its own logs only (CreateLogGroup, CreateLogStream, PutLogEvents).",
    });
  }

  /** Lets `grantee` resolve the image parameter, as CreateFleet does for `resolve:ssm:` images. */
  grantResolve(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['ssm:GetParameters'], resources: [this.parameterArn] }),
    );
  }
}
