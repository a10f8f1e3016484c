import * as z from 'zod/mini';
import { decodeEnvironment, encodeEnvironment, json, text, type Variables } from '../shared/environment';
import { METRICS_NAMESPACE_VARIABLE, metricsNamespaceSchema } from '../shared/metric-names';
import { type Pool, poolShape, warmSchema } from '../shared/pool';
import { priceListSchema } from '../shared/prices';
import { runnerScopeSchema } from '../shared/runner-scope';
import type { PoolLimits } from './decide-reaping';

const nonEmpty = z.string().check(z.minLength(1));
const int = (min: number, max: number) => z.int().check(z.minimum(min), z.maximum(max));

/**
 * The sweep's bounds and the projects whose pending jobs it re-checks, each declared once with
 * its default: the configuration's `reaper` is these keys, and so is the reaper's environment.
 */
export const reaperBoundsShape = {
  /**
   * Projects whose pending jobs the lost-demand sweep lists, besides those in the job table.
   * @default []
   */
  projectIds: z._default(z.array(z.int().check(z.positive())).check(z.maxLength(100)), []),
  /**
   * An instance whose token is still unread this long after launch never booted right.
   * @default 600
   */
  tokenPickupSeconds: z._default(int(120, 3600), 600),
  /**
   * Boot time allowed on top of a pool's idle timeout before an idle instance is reaped.
   * @default 300
   */
  bootGraceSeconds: z._default(int(0, 1800), 300),
  /**
   * A pending job this old with no capacity on the way is enqueued again.
   * @default 120
   */
  pendingGraceSeconds: z._default(int(30, 3600), 120),
  /**
   * GitLab API pages per sweep for each of the lost-demand listing and the runner listing
   * (whose next sweep resumes where it stopped); bounds their rate.
   * @default 10
   */
  maxPagesPerSweep: z._default(int(1, 100), 10),
};

/** The sweep's bounds with every default taken: what the simulator runs the reaper with. */
export const REAPER_DEFAULTS = z.parse(z.object(reaperBoundsShape), {});

const { idleTimeoutSeconds, maxLifetimeMinutes, jobTimeoutMinutes, maxInstances } = poolShape;

/** A pool with warm capacity as the reaper launches it. */
export const warmPoolSchema = z.object({
  name: nonEmpty,
  launchTemplateId: nonEmpty,
  instanceTypes: z.array(nonEmpty).check(z.minLength(1)),
  maxInstances,
  maxLifetimeMinutes,
  jobTimeoutMinutes,
  warm: warmSchema,
});

/** What the reaper needs to keep ready instances; absent when no pool has warm capacity. */
export const warmSettingsSchema = z.object({
  pools: z.array(warmPoolSchema).check(z.minLength(1)),
  subnetIds: z.array(nonEmpty).check(z.minLength(1)),
  /** The global cap, which ready instances count towards. */
  maxInstances: z.int().check(z.positive()),
});

/** The reaper's warm-capacity settings. */
export type WarmSettings = z.infer<typeof warmSettingsSchema>;

/**
 * The reaper's environment as decoded. The GitLab token is not here: only the name of the
 * SecureString that holds it, read at run time.
 */
export const reaperSettingsSchema = z.object({
  stackName: nonEmpty,
  /** Its Spotlab's CloudWatch namespace (`metricsNamespaceOf`), which its metrics are written to. */
  metricsNamespace: metricsNamespaceSchema,
  tableName: nonEmpty,
  gitlabUrl: z.url(),
  gitlabTokenParameter: nonEmpty,
  demandQueueUrl: z.url(),
  sweep: z.object({
    poolLimits: z
      .record(z.string(), z.object({ idleTimeoutSeconds, maxLifetimeMinutes }))
      // An instance of an unknown pool gets the strictest limits: there must be some to take.
      .check(z.refine((limits) => Object.keys(limits).length > 0)),
    prices: priceListSchema,
    /** Where scale-up registers runners: the runner listing's type. */
    runnerScope: runnerScopeSchema,
    ...reaperBoundsShape,
  }),
  warm: z.optional(warmSettingsSchema),
});

/** The reaper Lambda's settings, decoded. */
export type ReaperEnv = z.infer<typeof reaperSettingsSchema>;

const VARIABLES: Variables<ReaperEnv> = {
  stackName: text('STACK_NAME'),
  metricsNamespace: METRICS_NAMESPACE_VARIABLE,
  tableName: text('JOB_TABLE_NAME'),
  gitlabUrl: text('GITLAB_URL'),
  gitlabTokenParameter: text('GITLAB_TOKEN_PARAMETER'),
  demandQueueUrl: text('DEMAND_QUEUE_URL'),
  sweep: {
    poolLimits: json('POOL_LIMITS'),
    prices: json('PRICES'),
    runnerScope: json('RUNNER_SCOPE'),
    projectIds: json('PROJECT_IDS'),
    tokenPickupSeconds: json('TOKEN_PICKUP_SECONDS'),
    bootGraceSeconds: json('BOOT_GRACE_SECONDS'),
    pendingGraceSeconds: json('PENDING_GRACE_SECONDS'),
    maxPagesPerSweep: json('MAX_PAGES_PER_SWEEP'),
  },
  warm: json('WARM_CAPACITY'),
};

/**
 * Each pool's idle and lifetime bounds by pool name, as the reaper enforces them: the stack and
 * the simulator both map their pools through this.
 */
export function poolLimitsOf(
  pools: readonly Pick<Pool, 'name' | 'idleTimeoutSeconds' | 'maxLifetimeMinutes'>[],
): Record<string, PoolLimits> {
  return Object.fromEntries(
    pools.map((pool) => [
      pool.name,
      { idleTimeoutSeconds: pool.idleTimeoutSeconds, maxLifetimeMinutes: pool.maxLifetimeMinutes },
    ]),
  );
}

/** The environment the stack gives the reaper Lambda. */
export function encodeReaperEnv(
  settings: ReaperEnv,
  stringify?: (value: unknown) => string,
): Record<string, string> {
  return encodeEnvironment(VARIABLES, settings, stringify);
}

/**
 * Reads and validates the environment once at cold start.
 * @throws EnvironmentError naming every bad variable: a deploy mistake, so the function fails at init.
 */
export function readReaperEnv(env: Readonly<Record<string, string | undefined>>): ReaperEnv {
  return decodeEnvironment('reaper', VARIABLES, reaperSettingsSchema, env);
}
