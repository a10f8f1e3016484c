import * as z from 'zod/mini';
import { runnerScopeSchema } from '../shared/runner-scope';
import type { PoolLimits } from './decide-reaping';
import type { SweepSettings } from './sweep-context';

const nonEmpty = z.string().check(z.minLength(1));
const seconds = (fallback: number) => z._default(z.coerce.number().check(z.int(), z.nonnegative()), fallback);

/**
 * The reaper Lambda's environment, as the stack sets it. The GitLab token is not here: only the
 * name of the SecureString that holds it, read at run time.
 */
const reaperEnvSchema = z.object({
  STACK_NAME: nonEmpty,
  JOB_TABLE_NAME: nonEmpty,
  GITLAB_URL: z.url(),
  GITLAB_TOKEN_PARAMETER: nonEmpty,
  DEMAND_QUEUE_URL: z.url(),
  POOL_LIMITS: nonEmpty,
  PRICES: nonEmpty,
  /** JSON: where scale-up registers runners, as the stack passes it to scale-up too. */
  RUNNER_SCOPE: nonEmpty,
  PROJECT_IDS: z.optional(z.string()),
  TOKEN_PICKUP_SECONDS: seconds(600),
  BOOT_GRACE_SECONDS: seconds(300),
  PENDING_GRACE_SECONDS: seconds(120),
  MAX_PAGES_PER_SWEEP: z._default(z.coerce.number().check(z.int(), z.positive()), 10),
});

const poolLimitsSchema = z.record(
  z.string(),
  z.object({
    idleTimeoutSeconds: z.number().check(z.nonnegative()),
    maxLifetimeMinutes: z.number().check(z.positive()),
  }),
);
const pricesSchema = z.object({
  usdPerHour: z.record(z.string(), z.number()),
  defaultUsdPerHour: z.number().check(z.positive()),
});
const projectIdsSchema = z.array(z.int().check(z.positive()));

/** The reaper Lambda's settings, decoded. */
export interface ReaperEnv {
  readonly stackName: string;
  readonly tableName: string;
  readonly gitlabUrl: string;
  readonly gitlabTokenParameter: string;
  readonly demandQueueUrl: string;
  readonly sweep: SweepSettings;
}

/**
 * Reads and validates the environment once at cold start.
 * @throws Error naming every bad variable: a deploy mistake, so the function fails at init.
 */
export function readReaperEnv(env: Record<string, string | undefined>): ReaperEnv {
  const base = reaperEnvSchema.safeParse(env);
  const problems = base.success ? [] : base.error.issues.map((i) => i.path.join('.'));
  const json = <T>(name: string, text: string | undefined, schema: z.ZodMiniType<T>): T | undefined => {
    try {
      const parsed = schema.safeParse(JSON.parse(text ?? ''));
      if (parsed.success) return parsed.data;
    } catch {
      // reported below
    }
    problems.push(name);
    return undefined;
  };
  const limits = json('POOL_LIMITS', env.POOL_LIMITS, poolLimitsSchema);
  // An instance of an unknown pool gets the strictest limits: there must be some to take.
  if (limits !== undefined && Object.keys(limits).length === 0) problems.push('POOL_LIMITS');
  const prices = json('PRICES', env.PRICES, pricesSchema);
  const runnerScope = json('RUNNER_SCOPE', env.RUNNER_SCOPE, runnerScopeSchema);
  const projectIds =
    env.PROJECT_IDS === undefined ? [] : json('PROJECT_IDS', env.PROJECT_IDS, projectIdsSchema);
  if (
    !base.success ||
    limits === undefined ||
    prices === undefined ||
    runnerScope === undefined ||
    projectIds === undefined ||
    problems.length > 0
  )
    throw new Error(`reaper environment is invalid: ${[...new Set(problems)].join(', ')}`);
  const e = base.data;
  const poolLimits: Record<string, PoolLimits> = limits;
  return Object.freeze({
    stackName: e.STACK_NAME,
    tableName: e.JOB_TABLE_NAME,
    gitlabUrl: e.GITLAB_URL,
    gitlabTokenParameter: e.GITLAB_TOKEN_PARAMETER,
    demandQueueUrl: e.DEMAND_QUEUE_URL,
    sweep: Object.freeze({
      poolLimits,
      prices,
      projectIds,
      tokenPickupSeconds: e.TOKEN_PICKUP_SECONDS,
      bootGraceSeconds: e.BOOT_GRACE_SECONDS,
      pendingGraceSeconds: e.PENDING_GRACE_SECONDS,
      maxPagesPerSweep: e.MAX_PAGES_PER_SWEEP,
      runnerScope,
    }),
  });
}
