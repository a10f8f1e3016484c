import { z } from 'zod';
import { architectureOfInstanceType } from './instance-types';

/** SSM parameter names are absolute paths (`/spotlab/...`) or plain names. */
const parameterName = z
  .string()
  .regex(/^\/?[a-zA-Z0-9_.\-/]{1,1011}$/, 'must be an SSM parameter name such as /spotlab/webhook-secret');

const gitlabSchema = z.strictObject({
  url: z
    .url({ protocol: /^https?$/, error: 'must be the http(s) URL of the GitLab instance' })
    .transform((url) => url.replace(/\/+$/, '')),
  webhookSecretParameter: parameterName,
  signingTokenParameter: parameterName.optional(),
  apiTokenParameter: parameterName,
});

const runnerScopeSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('project') }),
    z.strictObject({ type: z.literal('group'), groupId: z.number().int().positive() }),
    z.strictObject({ type: z.literal('instance') }),
  ],
  { error: 'must be {"type":"project"}, {"type":"group","groupId":N} or {"type":"instance"}' },
);

/** `al2023` (latest Amazon Linux 2023 for the pool's architecture), an AMI id, or `ssm:<parameter>`. */
const imageSchema = z
  .string()
  .regex(
    /^(al2023|ami-[0-9a-f]{8,17}|ssm:\/?[a-zA-Z0-9_.\-/]+)$/,
    'must be "al2023", an AMI id or "ssm:<parameter name>"',
  );

const instanceType = z
  .string()
  .regex(/^[a-z][a-z0-9-]*\.[a-z0-9-]+$/, 'must be an EC2 instance type such as m7g.large');

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

const poolSchema = z
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
      const arch = architectureOfInstanceType(type);
      if (arch !== undefined && arch !== pool.architecture) {
        ctx.addIssue({
          code: 'custom',
          path: ['instanceTypes', index],
          message: `${type} is ${arch} but the pool's architecture is ${pool.architecture}`,
        });
      }
    });
  });

const networkSchema = z.discriminatedUnion(
  'mode',
  [
    z.strictObject({ mode: z.literal('create'), maxAzs: z.number().int().min(1).max(6).default(3) }),
    z.strictObject({
      mode: z.literal('existing'),
      vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, 'must be a VPC id'),
      subnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, 'must be a subnet id')).min(1),
    }),
  ],
  { error: 'must be {"mode":"create"} or {"mode":"existing","vpcId":...,"subnetIds":[...]}' },
);

const webhookSchema = z.strictObject({
  /** Steady-state requests per second the API stage accepts before answering 429. */
  rateLimitPerSecond: z.number().int().min(1).max(10_000).default(50),
  burstLimit: z.number().int().min(1).max(5_000).default(200),
  /** How long the webhook Lambda keeps the secrets it read from SSM. */
  secretCacheSeconds: z.number().int().min(0).max(3600).default(300),
});

/** Thresholds of the alarms the issue leaves open (see docs/observability.md). */
const alarmsSchema = z.strictObject({
  /** Estimated spend per hour above this share of `maxSpendPerHourUsd` alarms. */
  spendPercentOfCap: z.number().min(1).max(100).default(80),
  /** Running instances at this share of the global `maxInstances` alarm. */
  instancesPercentOfCap: z.number().min(1).max(100).default(90),
  /** p95 of the time jobs queue in GitLab before a Spotlab runner takes them, per pool, over 15 minutes. */
  jobWaitP95Seconds: z.number().int().min(30).max(86_400).default(300),
  /** Refused webhook requests (4xx) in 5 minutes that make a burst. */
  refusedWebhooksPer5Minutes: z.number().int().min(1).max(1_000_000).default(10),
  /** Errors of one Spotlab Lambda in 5 minutes. */
  lambdaErrorsPer5Minutes: z.number().int().min(1).max(1_000_000).default(1),
  /** Throttled invocations of one Spotlab Lambda in 5 minutes. */
  lambdaThrottlesPer5Minutes: z.number().int().min(1).max(1_000_000).default(1),
});

const budgetPercentages = z.array(z.number().positive().max(1000));

/** An AWS Budget on Spotlab's cost-allocation tag; notifications go to the alarm topic. */
const budgetSchema = z
  .strictObject({
    monthlyUsd: z.number().positive().max(10_000_000),
    /** Actual spend at these percentages of `monthlyUsd` notifies. */
    alertPercentages: budgetPercentages.default([80, 100]),
    /** Forecast spend for the month at these percentages of `monthlyUsd` notifies. */
    forecastPercentages: budgetPercentages.default([100]),
  })
  .superRefine((budget, ctx) => {
    // AWS Budgets takes at most ten notifications per budget and refuses two identical ones.
    if (budget.alertPercentages.length + budget.forecastPercentages.length > 10) {
      ctx.addIssue({
        code: 'custom',
        path: ['alertPercentages'],
        message: 'alertPercentages and forecastPercentages hold at most 10 values together',
      });
    }
    for (const key of ['alertPercentages', 'forecastPercentages'] as const) {
      budget[key].forEach((percent, index) => {
        if (budget[key].indexOf(percent) !== index)
          ctx.addIssue({ code: 'custom', path: [key, index], message: `repeats ${percent}` });
      });
    }
  });

/** The whole Spotlab configuration file: every key, its default and the checks across keys. */
export const spotlabConfigSchema = z
  .strictObject({
    stackName: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/)
      .default('Spotlab'),
    gitlab: gitlabSchema,
    runnerScope: runnerScopeSchema.default({ type: 'project' }),
    pools: z.array(poolSchema).min(1).max(50),
    maxInstances: z.number().int().min(1).max(5000),
    maxSpendPerHourUsd: z.number().positive().max(100_000),
    network: networkSchema.default({ mode: 'create', maxAzs: 3 }),
    webhook: webhookSchema.default({ rateLimitPerSecond: 50, burstLimit: 200, secretCacheSeconds: 300 }),
    alarmEmail: z.email().optional(),
    alarms: alarmsSchema.default({
      spendPercentOfCap: 80,
      instancesPercentOfCap: 90,
      jobWaitP95Seconds: 300,
      refusedWebhooksPer5Minutes: 10,
      lambdaErrorsPer5Minutes: 1,
      lambdaThrottlesPer5Minutes: 1,
    }),
    /** Optional monthly AWS Budget on Spotlab's cost-allocation tag. */
    budget: budgetSchema.optional(),
    /**
     * Tags by which a job asks for a machine shape in a pool with `instanceRequirements`:
     * `cpu:8` asks for at least 8 vCPUs, `mem:16` for at least 16 GiB.
     */
    shapeTags: z
      .strictObject({
        cpuPrefix: z.string().min(1).default('cpu:'),
        memoryGiBPrefix: z.string().min(1).default('mem:'),
      })
      .default({ cpuPrefix: 'cpu:', memoryGiBPrefix: 'mem:' }),
    /** The scheduled reaper's bounds and the projects whose pending jobs it re-checks. */
    reaper: z
      .strictObject({
        /** Projects whose pending jobs the lost-demand sweep lists, besides those in the job table. */
        projectIds: z.array(z.number().int().positive()).max(100).default([]),
        /** An instance whose token is still unread this long after launch never booted right. */
        tokenPickupSeconds: z.number().int().min(120).max(3600).default(600),
        /** Boot time allowed on top of a pool's idle timeout before an idle instance is reaped. */
        bootGraceSeconds: z.number().int().min(0).max(1800).default(300),
        /** A pending job this old with no capacity on the way is enqueued again. */
        pendingGraceSeconds: z.number().int().min(30).max(3600).default(120),
        /** GitLab API pages per sweep for the lost-demand listing; bounds its rate. */
        maxPagesPerSweep: z.number().int().min(1).max(100).default(10),
      })
      .default({
        projectIds: [],
        tokenPickupSeconds: 600,
        bootGraceSeconds: 300,
        pendingGraceSeconds: 120,
        maxPagesPerSweep: 10,
      }),
    /** The runners' shared S3 cache. */
    cache: z
      .strictObject({
        enabled: z.boolean().default(true),
        expireAfterDays: z.number().int().min(1).max(365).default(14),
      })
      .default({ enabled: true, expireAfterDays: 14 }),
    /**
     * On-demand USD per hour by instance type, for the spend cap; overrides and extends the
     * built-in table (us-east-1 list prices). Types in neither are priced at `defaultUsdPerHour`.
     */
    prices: z
      .strictObject({
        usdPerHour: z.record(instanceType, z.number().positive()).default({}),
        defaultUsdPerHour: z.number().positive().default(1),
      })
      .default({ usdPerHour: {}, defaultUsdPerHour: 1 }),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.pools.forEach((pool, index) => {
      const at = (key: string): (string | number)[] => ['pools', index, key];
      if (seen.has(pool.name))
        ctx.addIssue({ code: 'custom', path: at('name'), message: `duplicates pool "${pool.name}"` });
      seen.add(pool.name);
      if (pool.maxInstances > config.maxInstances) {
        ctx.addIssue({
          code: 'custom',
          path: at('maxInstances'),
          message: `must not exceed the global maxInstances (${config.maxInstances})`,
        });
      }
    });
  });

/** Spotlab's validated configuration, with defaults filled in. */
export type SpotlabConfig = z.infer<typeof spotlabConfigSchema>;
/** One pool: the shape of the machines that serve a set of job tags. */
export type PoolConfig = SpotlabConfig['pools'][number];
