import { z } from 'zod';
import { INSTANCE_TYPES_UPDATED, knownArchitecture, sameFamily } from './instance-types';

/** `al2023` (latest Amazon Linux 2023 for the pool's architecture), an AMI id, or `ssm:<parameter>`. */
const imageSchema = z
  .string()
  .regex(
    /^(al2023|ami-[0-9a-f]{8,17}|ssm:\/?[a-zA-Z0-9_.\-/]+)$/,
    'must be "al2023", an AMI id or "ssm:<parameter name>"',
  );

/** Why `type` is not a known EC2 instance type, with a nearby name where there is one. */
function unknownTypeMessage(type: string): string {
  const family = sameFamily(type);
  return (
    `${type} is not an EC2 instance type` +
    (family.length > 0 ? ` (same family: ${family.join(', ')})` : '') +
    `; the list of ${INSTANCE_TYPES_UPDATED} is lib/config/ec2-instance-types.json ` +
    '(npm run instance-types:refresh updates it from DescribeInstanceTypes)'
  );
}

/**
 * A real EC2 instance type name (`m7g.large`), as pools and price overrides name them: checked
 * against the dated list, so a typo fails synth instead of every launch.
 */
export const instanceType = z
  .string()
  .regex(/^[a-z][a-z0-9-]*\.[a-z0-9-]+$/, 'must be an EC2 instance type such as m7g.large')
  .superRefine((type, ctx) => {
    if (knownArchitecture(type) === undefined)
      ctx.addIssue({ code: 'custom', message: unknownTypeMessage(type) });
  });

const range = (min: number, max: number) =>
  z
    .strictObject({
      min: z.number().int().min(min).max(max),
      max: z.number().int().min(min).max(max).optional(),
    })
    .refine((r) => r.max === undefined || r.max >= r.min, { message: 'max must be at least min' });

/**
 * EC2 attribute-based instance type selection: EC2 picks every type that fits. A job may narrow it
 * with shape tags (see `shapeTags`) within these bounds.
 */
const instanceRequirementsSchema = z.strictObject({
  vCpuCount: range(1, 448),
  memoryMiB: range(512, 24_576 * 1024),
  acceleratorCount: range(0, 16).optional(),
  acceleratorTypes: z
    .array(z.enum(['gpu', 'fpga', 'inference']))
    .min(1)
    .optional(),
  acceleratorManufacturers: z
    .array(z.enum(['nvidia', 'amd', 'amazon-web-services', 'xilinx']))
    .min(1)
    .optional(),
  /** Wildcards allowed, e.g. `g5.*`, `g6*`. */
  allowedInstanceTypes: z
    .array(z.string().regex(/^[a-z0-9.*-]+$/))
    .min(1)
    .max(400)
    .optional(),
  /** Spot price protection: skip types priced above this % of the cheapest matching type. */
  spotMaxPricePercentageOverLowestPrice: z.number().int().min(1).max(1000).optional(),
});

/**
 * One pool: which jobs it serves (tags), the machines it launches (types or requirements, image,
 * disk), its executor, and its limits. Instance types must match the pool's architecture.
 */
export const poolSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be 1-32 lowercase letters, digits or dashes'),
    tags: z.array(z.string().min(1).max(255)).default([]),
    runUntagged: z.boolean().default(false),
    instanceTypes: z.array(instanceType).min(1).max(20).optional(),
    instanceRequirements: instanceRequirementsSchema.optional(),
    architecture: z.enum(['x86_64', 'arm64']),
    image: imageSchema.default('al2023'),
    diskSizeGiB: z.number().int().min(8).max(16_384).default(30),
    executor: z.enum(['docker', 'shell']).default('docker'),
    dockerImage: z.string().min(1).default('alpine:3.20'),
    privileged: z.boolean().default(false),
    /** Pass every GPU into job containers (`--docker-gpus all`); the image needs the NVIDIA toolkit. */
    dockerGpus: z.boolean().default(false),
    maxInstances: z.number().int().min(1).max(1000),
    idleTimeoutSeconds: z.number().int().min(30).max(3600).default(300),
    maxLifetimeMinutes: z
      .number()
      .int()
      .min(10)
      .max(24 * 60)
      .default(180),
    onDemandFallback: z.boolean().default(true),
    /** Retried jobs (a spot interruption's retry among them) launch on-demand instead of spot. */
    onDemandForRetries: z.boolean().default(false),
    /** GitLab `maximum_timeout` of the pool's runners: a job running longer is stopped by GitLab. */
    jobTimeoutMinutes: z
      .number()
      .int()
      .min(10)
      .max(24 * 60)
      .default(60),
  })
  // Checks within one pool run as soon as that pool's own keys are valid, beside other pools' errors.
  .superRefine((pool, ctx) => {
    if (pool.tags.length === 0 && !pool.runUntagged) {
      ctx.addIssue({
        code: 'custom',
        path: ['tags'],
        message: 'a pool with no tags must set runUntagged: true, or it serves no job',
      });
    }
    if (pool.executor === 'shell' && pool.dockerGpus) {
      ctx.addIssue({ code: 'custom', path: ['dockerGpus'], message: 'applies only to the docker executor' });
    }
    if (pool.executor === 'shell' && pool.privileged) {
      ctx.addIssue({ code: 'custom', path: ['privileged'], message: 'applies only to the docker executor' });
    }
    if ((pool.instanceTypes === undefined) === (pool.instanceRequirements === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['instanceTypes'],
        message: 'set exactly one of instanceTypes and instanceRequirements',
      });
    }
    if (pool.jobTimeoutMinutes >= pool.maxLifetimeMinutes) {
      ctx.addIssue({
        code: 'custom',
        path: ['jobTimeoutMinutes'],
        message: `must be below maxLifetimeMinutes (${pool.maxLifetimeMinutes})`,
      });
    }
    (pool.instanceTypes ?? []).forEach((type, index) => {
      const arch = knownArchitecture(type);
      if (arch !== undefined && arch !== pool.architecture) {
        ctx.addIssue({
          code: 'custom',
          path: ['instanceTypes', index],
          message: `${type} is ${arch} but the pool's architecture is ${pool.architecture}`,
        });
      }
    });
  });
