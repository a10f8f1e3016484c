import * as z from 'zod/mini';
import { instanceTypeSchema } from './instance-types';

/**
 * `al2023` (latest Amazon Linux 2023 for the pool's architecture), `baked` (the stack's Image
 * Builder image: AL2023 with Docker, gitlab-runner and images already in it), an AMI id, or
 * `ssm:<parameter>`.
 */
const imageSchema = z
  .string()
  .check(
    z.regex(
      /^(al2023|baked|ami-[0-9a-f]{8,17}|ssm:\/?[a-zA-Z0-9_.\-/]+)$/,
      'must be "al2023", "baked", an AMI id or "ssm:<parameter name>"',
    ),
  );

// Docker references: registry/path:tag@digest, no blanks or shell-significant characters.
const dockerImageReference = z
  .string()
  .check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._/:@-]*$/, 'must be a docker image reference'));

/**
 * A pool whose jobs spot interrupted 3 times within 15 minutes launches on-demand for 30 minutes:
 * AWS reclaims a capacity pool in waves, and a relaunch into the same wave loses the job again.
 */
export const DEFAULT_SPOT_COOL_DOWN = { interruptions: 3, windowMinutes: 15, minutes: 30 } as const;

const int = (min: number, max: number) => z.int().check(z.minimum(min), z.maximum(max));

const range = (min: number, max: number) =>
  z
    .strictObject({
      /** The least the instance type must have (of the key's unit). */
      min: int(min, max),
      /**
       * The most the instance type may have, at least `min`.
       * @default - no upper bound
       */
      max: z.optional(int(min, max)),
    })
    .check(z.refine((r) => r.max === undefined || r.max >= r.min, { message: 'max must be at least min' }));

/**
 * EC2 attribute-based instance type selection: EC2 picks every type that fits. A job may narrow it
 * with shape tags (see `shapeTags`) within these bounds.
 */
const instanceRequirementsSchema = z.strictObject({
  /** vCPUs of the instance type, 1–448; shape tags (`cpu:8`) raise `min` within these bounds. */
  vCpuCount: range(1, 448),
  /** Memory of the instance type in MiB, from 512; shape tags (`mem:32`) raise `min` within these bounds. */
  memoryMiB: range(512, 24_576 * 1024),
  /**
   * GPUs or other accelerators of the instance type, 0–16.
   * @default - not sent: EC2 applies no accelerator count limit
   */
  acceleratorCount: z.optional(range(0, 16)),
  /**
   * Accelerator kinds the instance type must have: `gpu`, `fpga` or `inference`.
   * @default - not sent: every accelerator kind
   */
  acceleratorTypes: z.optional(z.array(z.enum(['gpu', 'fpga', 'inference'])).check(z.minLength(1))),
  /**
   * Accelerator makers the instance type must have: `nvidia`, `amd`, `amazon-web-services` or `xilinx`.
   * @default - not sent: every accelerator maker
   */
  acceleratorManufacturers: z.optional(
    z.array(z.enum(['nvidia', 'amd', 'amazon-web-services', 'xilinx'])).check(z.minLength(1)),
  ),
  /**
   * Only these instance types, up to 400. Wildcards allowed, e.g. `g5.*`, `g6*`.
   * @default - not sent: every type that matches the other requirements
   */
  allowedInstanceTypes: z.optional(
    z.array(z.string().check(z.regex(/^[a-z0-9.*-]+$/))).check(z.minLength(1), z.maxLength(400)),
  ),
  /**
   * Spot price protection: skip types priced above this % of the cheapest matching type (1–1000).
   * @default - not sent: EC2 applies its own price protection
   */
  spotMaxPricePercentageOverLowestPrice: z.optional(int(1, 1000)),
});

/**
 * One window of ready instances: from each time `cron` fires (minute hour day-of-month month
 * day-of-week, in `timeZone`) for `durationHours`, the reaper keeps `count` instances booted and
 * waiting for a job. Where windows overlap, the largest count applies.
 */
export const warmScheduleSchema = z.strictObject({
  /**
   * When a window opens: a five-field cron (minute hour day-of-month month day-of-week; numbers, `*`,
   * ranges, lists, steps; Sunday 0 or 7), read in `timeZone`.
   */
  cron: z
    .string()
    .check(
      z.regex(
        /^\s*([0-9*,/-]+\s+){4}[0-9*,/-]+\s*$/,
        'must be a five-field cron expression such as "0 8 * * 1-5" (numbers, *, ranges, lists, steps)',
      ),
    ),
  /**
   * An IANA time zone such as `Europe/Berlin`; the window follows its daylight saving time.
   * @default "UTC"
   */
  timeZone: z._default(
    z.string().check(z.refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin')),
    'UTC',
  ),
  /** How long each window stays open, in hours: more than 0, at most 168. */
  durationHours: z.number().check(z.positive(), z.maximum(24 * 7)),
  /**
   * Ready instances while the window is open, 1–1000 and at most the pool's `maxInstances`;
   * overlapping windows take the largest count.
   */
  count: int(1, 1000),
});

/** Opt-in warm capacity of a pool: schedules of ready instances. */
export const warmSchema = z.strictObject({
  /** The windows of ready instances, 1–20. */
  schedules: z.array(warmScheduleSchema).check(z.minLength(1), z.maxLength(20)),
});

/** A pool's warm capacity as configured. */
export type WarmConfig = z.infer<typeof warmSchema>;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Every key of a pool, each declared once with its bounds and default: the configuration file's
 * `pools[]` is these keys; each Lambda that reads a pool takes its part of them (scale-up's
 * `runtimePoolSchema`, the reaper's pool limits) and the stack reads the rest (launch templates).
 */
export const poolShape = {
  /** The pool's unique name (1–32 lowercase letters, digits or dashes); used in tags, metrics and names. */
  name: z
    .string()
    .check(z.regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be 1-32 lowercase letters, digits or dashes')),
  /**
   * Runner tags: the pool serves jobs whose tags are all among these.
   * @default []
   */
  tags: z._default(z.array(z.string().check(z.minLength(1), z.maxLength(255))), []),
  /**
   * Also serve jobs with no tags; a pool with no tags must set it.
   * @default false
   */
  runUntagged: z._default(z.boolean(), false),
  /**
   * EC2 types (1–20) to spread spot requests over; each must match `architecture`. Set this or
   * `instanceRequirements`, not both.
   * @default - none: the pool selects types by `instanceRequirements`
   */
  instanceTypes: z.optional(z.array(instanceTypeSchema).check(z.minLength(1), z.maxLength(20))),
  /**
   * Attribute-based selection: EC2 picks every type that fits. Set this or `instanceTypes`, not both.
   * @default - none: the pool launches `instanceTypes`
   */
  instanceRequirements: z.optional(instanceRequirementsSchema),
  /** CPU architecture of the pool's instance types and image: `x86_64` or `arm64`. */
  architecture: z.enum(['x86_64', 'arm64']),
  /**
   * The pool's AMI: `al2023` (latest Amazon Linux 2023 for the architecture), `baked` (the stack's
   * Image Builder image), an AMI id, or `ssm:<parameter>`.
   * @default "al2023"
   */
  image: z._default(imageSchema, 'al2023'),
  /**
   * Job images the baked image holds already (`image: "baked"` only), e.g. the pool's usual build images.
   * @default []
   */
  prePulledImages: z._default(z.array(dockerImageReference).check(z.maxLength(20)), []),
  /**
   * Size of the root volume `/dev/xvda` (gp3, encrypted), 8–16384; at least the image's root snapshot.
   * @default 30
   */
  diskSizeGiB: z._default(int(8, 16_384), 30),
  /**
   * GitLab Runner executor: `docker` runs each job in a container, `shell` on the VM itself.
   * @default "docker"
   */
  executor: z._default(z.enum(['docker', 'shell']), 'docker'),
  /**
   * Image of jobs that name none (docker executor).
   * @default "alpine:3.20"
   */
  dockerImage: z._default(z.string().check(z.minLength(1)), 'alpine:3.20'),
  /**
   * Privileged containers, for Docker-in-Docker; docker executor only.
   * @default false
   */
  privileged: z._default(z.boolean(), false),
  /**
   * Pass every GPU into job containers (`--docker-gpus all`); the image needs the NVIDIA toolkit.
   * @default false
   */
  dockerGpus: z._default(z.boolean(), false),
  /** Instances of this pool at once, 1–1000; at most the global `maxInstances`. */
  maxInstances: int(1, 1000),
  /**
   * The runner's `--wait-timeout`, and the reaper's bound on an instance that got no job (30–3600).
   * @default 300
   */
  idleTimeoutSeconds: z._default(int(30, 3600), 300),
  /**
   * The reaper terminates an instance this old, whatever it runs (10–1440).
   * @default 180
   */
  maxLifetimeMinutes: z._default(int(10, 24 * 60), 180),
  /**
   * Launch on-demand for the shortfall when spot capacity is short.
   * @default true
   */
  onDemandFallback: z._default(z.boolean(), true),
  /**
   * Launch retried jobs (`retries_count` > 0) on-demand: a job spot reclaimed once is not risked twice.
   * @default false
   */
  onDemandForRetries: z._default(z.boolean(), false),
  /**
   * Spot interruptions that repeat: after `interruptions` interruptions of the pool's jobs within
   * `windowMinutes`, the pool launches on-demand for `minutes` (`minutes: 0` never does).
   * @default {"interruptions":3,"windowMinutes":15,"minutes":30}
   */
  spotCoolDown: z._default(
    z.strictObject({
      /**
       * Spot interruptions of the pool's jobs (one per instance that ran a job) that start a cool-down, 1–100.
       * @default 3
       */
      interruptions: z._default(int(1, 100), DEFAULT_SPOT_COOL_DOWN.interruptions),
      /**
       * The window, in minutes, within which those interruptions count (1–1440).
       * @default 15
       */
      windowMinutes: z._default(int(1, 24 * 60), DEFAULT_SPOT_COOL_DOWN.windowMinutes),
      /**
       * How long the pool then launches on-demand, 0–1440; `0` never does.
       * @default 30
       */
      minutes: z._default(int(0, 24 * 60), DEFAULT_SPOT_COOL_DOWN.minutes),
    }),
    DEFAULT_SPOT_COOL_DOWN,
  ),
  /**
   * GitLab `maximum_timeout` of the pool's runners: a job running longer is stopped by GitLab (10–1440,
   * below `maxLifetimeMinutes`).
   * @default 60
   */
  jobTimeoutMinutes: z._default(int(10, 24 * 60), 60),
  /**
   * Ready instances kept booted on a schedule (see {@link warmSchema}); they count towards
   * `maxInstances` and the global caps. Absent: scale to zero.
   * @default - no warm capacity
   */
  warm: z.optional(warmSchema),
};

/** A pool as configured, defaults filled in. */
export type Pool = z.infer<z.ZodMiniObject<typeof poolShape>>;

/**
 * The checks across one pool's keys. They run as soon as that pool's own keys are valid, beside
 * other pools' errors.
 */
export function checkPool(pool: Pool, ctx: z.core.$RefinementCtx<Pool>): void {
  const issue = (path: (string | number)[], message: string): void => {
    ctx.addIssue({ code: 'custom', path, message });
  };
  if (pool.tags.length === 0 && !pool.runUntagged)
    issue(['tags'], 'a pool with no tags must set runUntagged: true, or it serves no job');
  if (pool.executor === 'shell' && pool.dockerGpus)
    issue(['dockerGpus'], 'applies only to the docker executor');
  if (pool.executor === 'shell' && pool.privileged)
    issue(['privileged'], 'applies only to the docker executor');
  if (pool.prePulledImages.length > 0 && pool.image !== 'baked')
    issue(['prePulledImages'], 'applies only to image "baked"');
  if ((pool.instanceTypes === undefined) === (pool.instanceRequirements === undefined))
    issue(['instanceTypes'], 'set exactly one of instanceTypes and instanceRequirements');
  if (pool.jobTimeoutMinutes >= pool.maxLifetimeMinutes)
    issue(['jobTimeoutMinutes'], `must be below maxLifetimeMinutes (${pool.maxLifetimeMinutes})`);
  const warmMost = Math.max(0, ...(pool.warm?.schedules ?? []).map((s) => s.count));
  if (warmMost > pool.maxInstances)
    issue(['warm', 'schedules'], `count must not exceed the pool's maxInstances (${pool.maxInstances})`);
  // A ready instance is launched before any job says what shape it needs: it takes the pool's types.
  if (pool.warm !== undefined && pool.instanceTypes === undefined)
    issue(['warm'], 'applies only to pools with instanceTypes');
  // Whether each type exists and fits the architecture is checked at synth against the dated list
  // of EC2 types (lib/config/instance-types.ts), which stays out of the Lambda bundles.
}

/**
 * One pool: which jobs it serves (tags), the machines it launches (types or requirements, image,
 * disk), its executor, and its limits.
 */
export const poolSchema = z.strictObject(poolShape).check(z.superRefine(checkPool));
