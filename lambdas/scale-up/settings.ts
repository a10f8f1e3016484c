import * as z from 'zod/mini';

const positiveInt = z.int().check(z.positive());
const range = z.object({ min: z.int(), max: z.optional(z.int()) });

/** What scale-up knows of one pool: the config's pool plus what the stack created for it. */
export const runtimePoolSchema = z.object({
  name: z.string(),
  tags: z.array(z.string()),
  runUntagged: z.boolean(),
  architecture: z.enum(['x86_64', 'arm64']),
  launchTemplateId: z.string(),
  instanceTypes: z.optional(z.array(z.string())),
  instanceRequirements: z.optional(
    z.object({
      vCpuCount: range,
      memoryMiB: range,
      acceleratorCount: z.optional(range),
      acceleratorTypes: z.optional(z.array(z.enum(['gpu', 'fpga', 'inference']))),
      acceleratorManufacturers: z.optional(
        z.array(z.enum(['nvidia', 'amd', 'amazon-web-services', 'xilinx'])),
      ),
      allowedInstanceTypes: z.optional(z.array(z.string())),
      spotMaxPricePercentageOverLowestPrice: z.optional(z.int()),
    }),
  ),
  maxInstances: positiveInt,
  onDemandFallback: z.boolean(),
  /** Launch retried jobs (`retries_count` > 0) on-demand: a job spot reclaimed once is not risked twice. */
  onDemandForRetries: z.optional(z.boolean()),
  jobTimeoutSeconds: positiveInt,
});

/** A pool as scale-up sees it. */
export type RuntimePool = z.infer<typeof runtimePoolSchema>;

/**
 * The scale-up Lambda's settings. The stack passes structured values as JSON strings in these
 * environment variables (see `lib/constructs/launcher.ts`).
 */
export const scaleUpSettingsSchema = z.object({
  STACK_NAME: z.string().check(z.minLength(1)),
  /** `arn:<partition>:ec2:<region>:<account>:instance/`: the owner tag of each runner token parameter. */
  RUNNER_INSTANCE_ARN_PREFIX: z.string().check(z.regex(/^arn:.+:ec2:.+:instance\/$/)),
  JOB_TABLE_NAME: z.string().check(z.minLength(1)),
  GITLAB_URL: z.url(),
  GITLAB_TOKEN_PARAMETER: z.string().check(z.minLength(1)),
  /** JSON: {@link RunnerScope}. */
  RUNNER_SCOPE: z.string(),
  /** JSON: {@link RuntimePool}[]. */
  POOLS: z.string(),
  /** JSON: subnet ids to spread instances over. */
  SUBNET_IDS: z.string(),
  MAX_INSTANCES: z.coerce.number().check(z.int(), z.positive()),
  MAX_SPEND_PER_HOUR_USD: z.coerce.number().check(z.positive()),
  /** JSON: {"usdPerHour": {type: price}, "defaultUsdPerHour": n}. */
  PRICES: z.string(),
  /** JSON: {"cpuPrefix": "cpu:", "memoryGiBPrefix": "mem:"}. */
  SHAPE_TAGS: z.string(),
});
