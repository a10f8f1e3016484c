import { Aws, Stack, Validations } from 'aws-cdk-lib';
import {
  BlockDeviceVolume,
  CfnLaunchTemplate,
  EbsDeviceVolumeType,
  InstanceInitiatedShutdownBehavior,
  type ISecurityGroup,
  LaunchTemplate,
  LaunchTemplateHttpTokens,
  UserData,
} from 'aws-cdk-lib/aws-ec2';
import {
  Grant,
  type IGrantable,
  InstanceProfile,
  PolicyStatement,
  Role,
  ServicePrincipal,
} from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { RUNNER_TOKEN_OWNER_TAG, runnerTokenPrefix } from '../../lambdas/shared/naming';
import { renderUserData } from '../bootstrap/user-data';
import type { PoolConfig, SpotlabConfig } from '../config/schema';
import { type BakedImages, bakedImagesOf, machineImageOf } from './launch-template-images';
import { iam5Finding } from './nag-acknowledgements';
import { spotlabMetricNamespaces, spotlabName } from './spotlab-name';

/** Properties of {@link RunnerLaunchTemplates}. */
export interface RunnerLaunchTemplatesProps {
  /** The pools; one launch template each. */
  readonly pools: readonly PoolConfig[];
  /** Base URL of GitLab, which the runners poll for their job. */
  readonly gitlabUrl: string;
  /** gitlab-runner release the VMs download and verify, e.g. `19.3.0`. */
  readonly gitlabRunnerVersion: string;
  /** Security group of every runner (no ingress). */
  readonly securityGroup: ISecurityGroup;
  /**
   * Bucket of the shared runner cache.
   * @default - jobs run without a distributed cache
   */
  readonly cacheBucket?: IBucket;
  /**
   * How long a new VM waits for its runner token parameter before powering off. The launcher
   * writes it right after CreateFleet returns, normally within seconds.
   * @default 300
   */
  readonly tokenWaitSeconds?: number;
  /**
   * The Image Builder pipelines of pools with `image: "baked"`, and the subnet their build
   * instances use (outbound access needed).
   * @default - no pool may use `image: "baked"`
   */
  readonly bakedImages?: {
    readonly config: Readonly<SpotlabConfig['bakedImages']>;
    readonly buildSubnetId: string;
  };
}

/** What the launch templates boot, for the launcher's image conditions. */
export interface LaunchImages {
  /** Some pool boots Amazon Linux 2023 (`al2023`), an Amazon-owned image. */
  readonly amazonOwned: boolean;
  /** The AMI ids of the other pools: literal, or the deploy-time value of their SSM parameter. */
  readonly imageIds: readonly string[];
  /** `spotlab:runner-image` tag values of this stack's baked images (this account's AMIs). */
  readonly bakedTagValues: readonly string[];
}

/** Root device of Amazon Linux 2023 and of AMIs built from it. */
const ROOT_DEVICE = '/dev/xvda';

/**
 * What every runner VM is: one launch template per pool (IMDSv2 only, hop limit 1, encrypted gp3
 * root, terminate on shutdown, no key pair, no inbound traffic, the bootstrap as user data) and
 * one instance role shared by all pools. Instance tags are not set here: CreateFleet adds them
 * at launch, and the launcher's IAM conditions key on them.
 */
export class RunnerLaunchTemplates extends Construct {
  /** Role of every runner VM: its own token parameter and the cache bucket, nothing else. */
  readonly instanceRole: Role;
  /** Launch template of each pool, by pool name. */
  readonly launchTemplates: ReadonlyMap<string, LaunchTemplate>;
  /** The images the launch templates boot. */
  readonly images: LaunchImages;
  /** The baked image of each architecture a pool with `image: "baked"` uses. */
  readonly bakedImages: BakedImages;

  constructor(scope: Construct, id: string, props: RunnerLaunchTemplatesProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const tokenPrefix = runnerTokenPrefix(spotlabName(this));
    this.instanceRole = new Role(this, 'InstanceRole', {
      assumedBy: new ServicePrincipal('ec2.amazonaws.com'),
      description: `Spotlab ${spotlabName(this)} runner VMs: own runner token, cache bucket`,
    });
    // No AmazonSSMManagedInstanceCore: nobody logs into a runner, and Session Manager would hand
    // every job a way to reach other VMs' tokens and the cache through the agent's permissions.
    const instanceProfile = new InstanceProfile(this, 'InstanceProfile', { role: this.instanceRole });

    this.bakedImages = bakedImagesOf(this, props.pools, {
      runnerVersion: props.gitlabRunnerVersion,
      securityGroup: props.securityGroup,
      ...props.bakedImages,
    });
    const templates = new Map<string, LaunchTemplate>();
    const imageIds = new Set<string>();
    for (const pool of props.pools) {
      const machineImage = machineImageOf(pool, this.bakedImages);
      // The same value the template's ImageId gets (an SSM-backed image is one CloudFormation
      // parameter however often it is asked for), so the launcher may boot exactly these.
      // A baked pool's AMI is known only at launch (`resolve:ssm:`): see `baked` below.
      if (pool.image !== 'al2023' && pool.image !== 'baked')
        imageIds.add(machineImage.getImage(this).imageId);
      const userData = renderUserData({
        region: Aws.REGION,
        gitlabUrl: props.gitlabUrl,
        tokenPrefix,
        executor: pool.executor,
        dockerImage: pool.dockerImage,
        privileged: pool.privileged,
        dockerGpus: pool.dockerGpus,
        waitTimeoutSeconds: pool.idleTimeoutSeconds,
        tokenWaitSeconds: props.tokenWaitSeconds ?? 300,
        cacheBucket: props.cacheBucket?.bucketName ?? '',
        arch: pool.architecture,
        runnerVersion: props.gitlabRunnerVersion,
        pool: pool.name,
        startupNamespace: spotlabMetricNamespaces(this).startup,
        warmCapable: pool.warm !== undefined,
      });
      const template = new LaunchTemplate(this, `Pool-${pool.name}`, {
        machineImage,
        userData: UserData.custom(userData),
        blockDevices: [
          {
            deviceName: ROOT_DEVICE,
            volume: BlockDeviceVolume.ebs(pool.diskSizeGiB, {
              volumeType: EbsDeviceVolumeType.GP3,
              encrypted: true,
              deleteOnTermination: true,
            }),
          },
        ],
        // IMDSv2 only, and a hop limit of 1: the metadata answer dies one hop out, so job
        // containers on the docker bridge cannot fetch the instance role's credentials.
        httpEndpoint: true,
        httpTokens: LaunchTemplateHttpTokens.REQUIRED,
        httpPutResponseHopLimit: 1,
        // Only a pool with warm capacity shows the instance its tags: the bootstrap of a ready
        // instance reads `spotlab:warm` there to wait for its token without a time limit.
        instanceMetadataTags: pool.warm !== undefined,
        // One-time spot instances cannot stop; every power-off ends the VM (and its bill).
        instanceInitiatedShutdownBehavior: InstanceInitiatedShutdownBehavior.TERMINATE,
        securityGroup: props.securityGroup,
        instanceProfile,
      });
      // CDK copies the stack's tags into the template's instance and volume tag specifications;
      // drop them so CreateFleet's tags are the only ones, exactly what the IAM conditions check.
      const cfnTemplate = template.node.defaultChild;
      if (cfnTemplate instanceof CfnLaunchTemplate) {
        cfnTemplate.addPropertyDeletionOverride('LaunchTemplateData.TagSpecifications');
      }
      templates.set(pool.name, template);
    }
    this.launchTemplates = templates;
    this.images = {
      // A baked pool boots stock AL2023 until its first build publishes an image.
      amazonOwned: props.pools.some((pool) => pool.image === 'al2023' || pool.image === 'baked'),
      bakedTagValues: [...this.bakedImages.values()].map((image) => image.tagValue),
      imageIds: [...imageIds],
    };

    // Each VM may read and delete its own token parameter only. AWS facts this rests on:
    // - `ec2:SourceInstanceARN` is in the request context of every call signed with an instance
    //   profile's credentials (the instance's ARN), and may be used as a policy variable in string
    //   conditions (IAM User Guide, "IAM policy elements: Variables and tags", request information).
    // - Parameter names allow only [a-zA-Z0-9_.-/], so no ARN (nor `${aws:userid}`, role-id:i-…)
    //   fits in a Resource pattern; but the `parameter` resource type supports the condition key
    //   `ssm:resourceTag/<key>` (Service Authorization Reference, AWS Systems Manager).
    // So scale-up tags each parameter with its instance's ARN (RUNNER_TOKEN_OWNER_TAG) at creation,
    // and this grant holds only when that tag equals the caller's own ARN. The role can neither tag
    // nor write parameters, so no VM can re-label another's token as its own.
    // GetParameter alone (no GetParameterHistory: CDK's grantRead would add it and expose old
    // values) and no kms: statement: tokens use the AWS managed key aws/ssm, whose key policy lets
    // principals of the account decrypt only through SSM (kms:ViaService), i.e. only what this
    // GetParameter grant already lets them read.
    const tokenParameters = stack.formatArn({
      service: 'ssm',
      resource: 'parameter',
      resourceName: `${tokenPrefix.replace(/^\//, '')}/*`,
    });
    this.instanceRole.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'OwnRunnerTokenOnly',
        actions: ['ssm:GetParameter', 'ssm:DeleteParameter'],
        resources: [tokenParameters],
        conditions: {
          // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, resolved by IAM
          StringEquals: { [`ssm:resourceTag/${RUNNER_TOKEN_OWNER_TAG}`]: '${ec2:SourceInstanceARN}' },
        },
      }),
    );
    // Start-up telemetry (runner-bootstrap.sh): PutMetricData takes no resource, so the condition
    // on its namespace is what keeps a VM from writing Spotlab's own metrics or alarms' inputs.
    this.instanceRole.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'StartupMetricsOnly',
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': spotlabMetricNamespaces(this).startup } },
      }),
    );
    const acknowledgements = [
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: `cloudwatch:PutMetricData supports no resource-level permissions; a condition limits it to the ${spotlabMetricNamespaces(this).startup} namespace.`,
      },
      {
        id: iam5Finding(stack, tokenParameters),
        reason:
          'Runner tokens are named after instance ids unknown until launch; the wildcard covers ' +
          "this stack's token prefix only, and a condition narrows it to the parameter tagged with the caller's instance ARN.",
      },
    ];
    if (props.cacheBucket !== undefined) {
      // What GitLab Runner's S3 cache does with the role (presigned GET/PUT, HEAD); no delete,
      // since expiry is the bucket's lifecycle rule.
      const objects = props.cacheBucket.arnForObjects('*');
      Grant.addToPrincipal({
        grantee: this.instanceRole,
        actions: ['s3:GetObject', 's3:PutObject'],
        resourceArns: [objects],
      });
      Grant.addToPrincipal({
        grantee: this.instanceRole,
        actions: ['s3:ListBucket'],
        resourceArns: [props.cacheBucket.bucketArn],
      });
      acknowledgements.push({
        id: iam5Finding(stack, objects),
        reason:
          "Cache keys are chosen by jobs; the wildcard covers objects of this stack's cache bucket only.",
      });
    }
    Validations.of(this.instanceRole).acknowledge(...acknowledgements);
  }

  /**
   * Lets `grantee` resolve the baked images' parameters: CreateFleet reads a launch template's
   * `resolve:ssm:` image with the caller's permissions.
   */
  grantImageResolution(grantee: IGrantable): void {
    for (const image of this.bakedImages.values()) image.grantResolve(grantee);
  }

  /** Id of a pool's launch template. */
  launchTemplateId(poolName: string): string {
    const id = this.launchTemplates.get(poolName)?.launchTemplateId;
    if (id === undefined) throw new Error(`${this.node.path}: no launch template for pool ${poolName}`);
    return id;
  }
}
