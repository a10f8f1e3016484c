import { z } from 'zod';
import { reaperBoundsShape } from '../../lambdas/reaper/env';
import { admissionSchema, shapeTagsSchema } from '../../lambdas/scale-up/env';
import { type Pool, poolSchema } from '../../lambdas/shared/pool';
import { priceListShape } from '../../lambdas/shared/prices';
import { runnerScopeSchema } from '../../lambdas/shared/runner-scope';
import { SECRET_CACHE_SECONDS_DEFAULT } from '../../lambdas/webhook/env';
import { instanceTypeProblem } from './instance-types';
import { alarmsSchema, budgetSchema } from './monitoring-schema';

/** SSM parameter names are absolute paths (`/spotlab/...`) or plain names. */
const parameterName = z
  .string()
  .regex(/^\/?[a-zA-Z0-9_.\-/]{1,1011}$/, 'must be an SSM parameter name such as /spotlab/webhook-secret');

const gitlabSchema = z.strictObject({
  /** URL of the GitLab instance served (`https://gitlab.com`); hooks from another are refused. */
  url: z
    .url({ protocol: /^https?$/, error: 'must be the http(s) URL of the GitLab instance' })
    .transform((url) => url.replace(/\/+$/, '')),
  /** SSM SecureString holding the webhook's secret token, which GitLab sends as `X-Gitlab-Token`. */
  webhookSecretParameter: parameterName,
  /**
   * SSM SecureString holding the webhook signing token (`whsec_…`); when set, every request must
   * carry a valid `webhook-signature` no older than 5 minutes.
   * @default - signatures are not checked
   */
  signingTokenParameter: parameterName.optional(),
  /** SSM SecureString holding the GitLab token that reads jobs and creates and deletes runners. */
  apiTokenParameter: parameterName,
  /**
   * Project ids whose jobs may cause launches; with `allowedNamespaces` absent too, every project may.
   * @default - no project allow-list
   */
  allowedProjects: admissionSchema.shape.allowedProjects,
  /**
   * Namespace full paths (`acme/platform`) whose projects, subgroups' included, may cause launches.
   * @default - no namespace allow-list
   */
  allowedNamespaces: admissionSchema.shape.allowedNamespaces,
});

const networkSchema = z.discriminatedUnion(
  'mode',
  [
    z.strictObject({
      /** Spotlab creates a VPC with public subnets and no NAT gateway. */
      mode: z.literal('create'),
      /**
       * Availability Zones the created VPC spans, one public subnet each.
       * @default 3
       */
      maxAzs: z.number().int().min(1).max(6).default(3),
    }),
    z.strictObject({
      /** The runners launch into a VPC that exists already. */
      mode: z.literal('existing'),
      /** The existing VPC's id. */
      vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, 'must be a VPC id'),
      /** Its subnets the runners launch into; they must reach GitLab and the AWS APIs. */
      subnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, 'must be a subnet id')).min(1),
    }),
  ],
  { error: 'must be {"mode":"create"} or {"mode":"existing","vpcId":...,"subnetIds":[...]}' },
);

/** Concurrent executions reserved for the webhook Lambda by default (`webhook.reservedConcurrency`). */
export const WEBHOOK_RESERVED_CONCURRENCY = 20;

/** IPv4 or IPv6 CIDR, as an AWS WAF IP set takes it. */
const cidr = z.union([z.cidrv4(), z.cidrv6()], {
  error: 'must be an IPv4 or IPv6 CIDR such as 203.0.113.0/24',
});

/** Limits of a WAF rate-based statement (WAF API reference, `RateBasedStatement`). */
const WAF_LIMIT_MIN = 10;
const WAF_LIMIT_MAX = 2_000_000_000;

const webhookWafSchema = z.strictObject({
  /**
   * Requests one source IP may send in `windowSeconds` before WAF answers it 429 until it slows down.
   * @default 3000
   */
  requestsPerIp: z.number().int().min(WAF_LIMIT_MIN).max(WAF_LIMIT_MAX).default(3000),
  /**
   * The window WAF counts requests over: WAF accepts 60, 120, 300 or 600 seconds.
   * @default 300
   */
  windowSeconds: z
    .union([z.literal(60), z.literal(120), z.literal(300), z.literal(600)], {
      error: 'must be 60, 120, 300 or 600 (the windows AWS WAF offers)',
    })
    .default(300),
  /**
   * Source ranges the rule never limits: your GitLab's outgoing addresses, so a burst of its own
   * hooks is never dropped.
   * @default []
   */
  exemptSourceCidrs: z.array(cidr).max(100).default([]),
  /**
   * Set the Region's API Gateway CloudWatch role (an account setting) to a role of Spotlab's,
   * which REST API access logs need; `false` where the account has one already. The role is kept
   * when the stack is deleted, as other APIs of the account may log through it.
   * @default true
   */
  createAccountLogRole: z.boolean().default(true),
});

const webhookSchema = z.strictObject({
  /**
   * Steady-state requests per second the API stage accepts before answering 429.
   * @default 50
   */
  rateLimitPerSecond: z.number().int().min(1).max(10_000).default(50),
  /**
   * Requests the stage accepts in a burst.
   * @default 200
   */
  burstLimit: z.number().int().min(1).max(5_000).default(200),
  /**
   * How long the webhook Lambda keeps the secrets it read from SSM; a rotated secret takes effect
   * within this time.
   * @default 300
   */
  secretCacheSeconds: z.number().int().min(0).max(3600).default(SECRET_CACHE_SECONDS_DEFAULT),
  /**
   * Concurrent executions reserved for (and capping) the webhook Lambda; null reserves none, for
   * accounts whose Lambda concurrency quota is below 120.
   * @default 20
   */
  reservedConcurrency: z.number().int().min(1).max(1000).nullable().default(WEBHOOK_RESERVED_CONCURRENCY),
  /**
   * An AWS WAF rate-based rule per source IP in front of the webhook. Off when absent: it costs
   * about $6 a month plus $0.60 per million requests, and needs a REST API as the front door.
   * @default - no WAF; the webhook is an HTTP API
   */
  waf: webhookWafSchema.optional(),
});

/** Every instance type of a pool is a real EC2 type of the pool's architecture (the dated list). */
function checkInstanceTypes(pool: Pool, ctx: z.core.$RefinementCtx<Pool>): void {
  (pool.instanceTypes ?? []).forEach((type, index) => {
    const problem = instanceTypeProblem(type, pool.architecture);
    if (problem !== undefined)
      ctx.addIssue({ code: 'custom', path: ['instanceTypes', index], message: problem });
  });
}

/** The whole Spotlab configuration file: every key, its default and the checks across keys. */
export const spotlabConfigSchema = z
  .strictObject({
    stackName: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/)
      .default('Spotlab'),
    /** The GitLab instance served, its secrets' SSM names and which projects may cause launches. */
    gitlab: gitlabSchema,
    /**
     * Where runners are registered: each job's project, one group, or the whole instance.
     * @default {"type":"project"}
     */
    runnerScope: z._default(runnerScopeSchema, { type: 'project' }),
    /**
     * gitlab-runner release every VM downloads and verifies against GitLab's release.sha256 (a
     * pool image that already has gitlab-runner keeps its own). Raise it deliberately.
     * @default "19.3.0"
     */
    gitlabRunnerVersion: z
      .string()
      .regex(/^\d{1,3}\.\d{1,3}\.\d{1,3}$/, 'must be a gitlab-runner release such as 19.3.0')
      .default('19.3.0'),
    /**
     * The Image Builder pipeline of pools with `image: "baked"` (one per architecture they use).
     * @default {} (each key's own default)
     */
    bakedImages: z
      .strictObject({
        /**
         * Image Builder cron: weekly by default, so images follow AL2023 releases.
         * @default "cron(0 4 ? * mon *)"
         */
        rebuildSchedule: z
          .string()
          .regex(/^cron\([^()]+\)$/, 'must be an Image Builder cron expression such as cron(0 4 ? * mon *)')
          .default('cron(0 4 ? * mon *)'),
        /**
         * Images kept per architecture; older ones are deleted with their snapshots.
         * @default 3
         */
        keepImages: z.number().int().min(1).max(50).default(3),
      })
      .prefault({}),
    /** The machine shapes, each serving the jobs whose tags it has (1 to 50 pools, unique names). */
    pools: z
      .array(poolSchema.check(z.superRefine(checkInstanceTypes)))
      .min(1)
      .max(50),
    /** Instances Spotlab runs at once across all pools, warm ones included. */
    maxInstances: z.number().int().min(1).max(5000),
    /** Hourly spend cap: launches wait while the running instances, priced on-demand, would exceed it. */
    maxSpendPerHourUsd: z.number().positive().max(100_000),
    /**
     * Instances one project may hold at once, across pools, so one project cannot take them all.
     * @default - half of `maxInstances`, rounded up; all of it when `gitlab.allowedProjects` names one
     * project and `gitlab.allowedNamespaces` is unset
     */
    maxInstancesPerProject: z.number().int().min(1).max(5000).optional(),
    /**
     * Where the runners launch: a VPC Spotlab creates, or an existing one.
     * @default {"mode":"create","maxAzs":3}
     */
    network: networkSchema.default({ mode: 'create', maxAzs: 3 }),
    /**
     * Throttling, reserved concurrency, secret caching and the WAF option of the webhook.
     * @default {} (each key's own default)
     */
    // prefault: an absent block is parsed as {}, so each key's own default applies (declared once).
    webhook: webhookSchema.prefault({}),
    /**
     * An e-mail address subscribed to the alarm topic.
     * @default - no subscription
     */
    alarmEmail: z.email().optional(),
    /**
     * Thresholds of the alarms (docs/observability.md).
     * @default each key's own default
     */
    alarms: alarmsSchema.default({
      spendPercentOfCap: 80,
      instancesPercentOfCap: 90,
      jobWaitP95Seconds: 300,
      startupP95Seconds: 120,
      refusedWebhooksPer5Minutes: 10,
      lambdaErrorsPer5Minutes: 1,
      lambdaThrottlesPer5Minutes: 1,
    }),
    /**
     * Optional monthly AWS Budget on Spotlab's cost-allocation tag.
     * @default - no budget
     */
    budget: budgetSchema.optional(),
    /**
     * Tags by which a job asks for a machine shape in a pool with `instanceRequirements`:
     * `cpu:8` asks for at least 8 vCPUs, `mem:16` for at least 16 GiB.
     * @default {"cpuPrefix":"cpu:","memoryGiBPrefix":"mem:"}
     */
    shapeTags: z.prefault(shapeTagsSchema, {}),
    /**
     * The scheduled reaper's bounds and the projects whose pending jobs it re-checks.
     * @default {} (each key's own default)
     */
    reaper: z.prefault(z.strictObject(reaperBoundsShape), {}),
    /**
     * The runners' shared S3 cache.
     * @default {"enabled":true,"expireAfterDays":14,"removalPolicy":"retain"}
     */
    cache: z
      .strictObject({
        /**
         * Whether Spotlab creates the bucket and points every runner's cache at it.
         * @default true
         */
        enabled: z.boolean().default(true),
        /**
         * Cache objects expire this many days after they were written.
         * @default 14
         */
        expireAfterDays: z.number().int().min(1).max(365).default(14),
        /**
         * What `cdk destroy` does with the bucket: `retain` keeps it (its lifecycle rule still
         * empties it within `expireAfterDays`), `destroy` empties and deletes it.
         * @default "retain"
         */
        removalPolicy: z.enum(['retain', 'destroy']).default('retain'),
      })
      .default({ enabled: true, expireAfterDays: 14, removalPolicy: 'retain' }),
    /**
     * On-demand USD per hour by instance type, for the spend cap; overrides and extends the
     * built-in table (us-east-1 list prices). Types in neither are priced at `defaultUsdPerHour`.
     * @default {} (each key's own default)
     */
    prices: z.prefault(z.strictObject(priceListShape), {}),
  })
  .superRefine((config, ctx) => {
    for (const type of Object.keys(config.prices.usdPerHour)) {
      const problem = instanceTypeProblem(type);
      if (problem !== undefined)
        ctx.addIssue({ code: 'custom', path: ['prices', 'usdPerHour', type], message: problem });
    }
    if (config.maxInstancesPerProject !== undefined && config.maxInstancesPerProject > config.maxInstances)
      ctx.addIssue({
        code: 'custom',
        path: ['maxInstancesPerProject'],
        message: `must not exceed the global maxInstances (${config.maxInstances})`,
      });
    const warmMost = config.pools.reduce(
      (sum, pool) => sum + Math.max(0, ...(pool.warm?.schedules ?? []).map((s) => s.count)),
      0,
    );
    if (warmMost > config.maxInstances)
      ctx.addIssue({
        code: 'custom',
        path: ['pools'],
        message: `warm counts together (${warmMost}) must not exceed the global maxInstances (${config.maxInstances})`,
      });
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
/** One pool: the shape of the machines that serve a set of job tags (see `lambdas/shared/pool.ts`). */
export type PoolConfig = SpotlabConfig['pools'][number];
