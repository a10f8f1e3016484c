import {
  AmazonLinuxCpuType,
  type IMachineImage,
  type ISecurityGroup,
  MachineImage,
  OperatingSystemType,
  UserData,
} from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import type { PoolConfig, SpotlabConfig } from '../config/schema';
import { RunnerImage } from './runner-image';

/** The baked images of a fleet, by architecture. */
export type BakedImages = ReadonlyMap<PoolConfig['architecture'], RunnerImage>;

/** What {@link bakedImagesOf} builds the images with. */
export interface BakedImagesOptions {
  readonly runnerVersion: string;
  readonly securityGroup: ISecurityGroup;
  /** The pipeline configuration; needed once a pool uses `image: "baked"`. */
  readonly config?: Readonly<SpotlabConfig['bakedImages']>;
  /** Subnet of the build instances; needed once a pool uses `image: "baked"`. */
  readonly buildSubnetId?: string;
}

/** One image pipeline per architecture of the baked pools, pulling every image they list. */
export function bakedImagesOf(
  scope: Construct,
  pools: readonly PoolConfig[],
  options: BakedImagesOptions,
): BakedImages {
  const images = new Map<PoolConfig['architecture'], RunnerImage>();
  const baked = pools.filter((pool) => pool.image === 'baked');
  if (baked.length === 0) return images;
  const { config, buildSubnetId } = options;
  if (config === undefined || buildSubnetId === undefined)
    throw new Error(`${scope.node.path}: pools with image "baked" need bakedImages`);
  for (const architecture of new Set(baked.map((pool) => pool.architecture))) {
    const prePulled = baked
      .filter((pool) => pool.architecture === architecture)
      .flatMap((pool) => pool.prePulledImages);
    images.set(
      architecture,
      new RunnerImage(scope, `Image-${architecture}`, {
        architecture,
        runnerVersion: options.runnerVersion,
        prePulledImages: [...new Set(prePulled)].sort(),
        scheduleExpression: config.rebuildSchedule,
        keepImages: config.keepImages,
        subnetId: buildSubnetId,
        securityGroup: options.securityGroup,
      }),
    );
  }
  return images;
}

/**
 * The pool's AMI, resolved without lookups so the stack stays environment-agnostic: `al2023` and
 * `ssm:` become CloudFormation SSM parameters (resolved at each deploy), an AMI id is used as is.
 * `baked` is resolved by EC2 at each launch (`resolve:ssm:`), so a new build serves the next job
 * without a deploy.
 */
export function machineImageOf(pool: PoolConfig, baked: BakedImages): IMachineImage {
  if (pool.image === 'al2023') {
    return MachineImage.latestAmazonLinux2023({
      cpuType: pool.architecture === 'arm64' ? AmazonLinuxCpuType.ARM_64 : AmazonLinuxCpuType.X86_64,
    });
  }
  if (pool.image === 'baked') {
    const image = baked.get(pool.architecture);
    if (image === undefined) throw new Error(`no baked image for ${pool.architecture}`);
    return MachineImage.resolveSsmParameterAtLaunch(image.parameterName, { os: OperatingSystemType.LINUX });
  }
  if (pool.image.startsWith('ssm:')) return MachineImage.fromSsmParameter(pool.image.slice('ssm:'.length));
  // MachineImage.genericLinux wants a Region → AMI map keyed by a Region known at synth, which an
  // environment-agnostic stack does not have. An AMI id exists in one Region only, so a literal id
  // already ties the stack to that Region; pass it through unchanged.
  const imageId = pool.image;
  return {
    getImage: () => ({ imageId, osType: OperatingSystemType.LINUX, userData: UserData.forLinux() }),
  };
}
