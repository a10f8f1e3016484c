import * as z from 'zod/mini';
import type { PriceList } from '../shared/prices';
import { type RunnerScope, runnerScopeSchema } from '../shared/runner-scope';
import type { ShapeTags } from './route-job';
import { type RuntimePool, runtimePoolSchema, scaleUpSettingsSchema } from './settings';

const pricesSchema = z.object({
  usdPerHour: z.record(z.string(), z.number()),
  defaultUsdPerHour: z.number().check(z.positive()),
});
const shapeTagsSchema = z.object({ cpuPrefix: z.string(), memoryGiBPrefix: z.string() });

/** The scale-up Lambda's settings, decoded. */
export interface ScaleUpEnv {
  readonly stackName: string;
  /** `arn:<partition>:ec2:<region>:<account>:instance/`, the prefix of every runner's ARN. */
  readonly instanceArnPrefix: string;
  readonly tableName: string;
  readonly gitlabUrl: string;
  readonly gitlabTokenParameter: string;
  readonly scope: RunnerScope;
  readonly pools: readonly RuntimePool[];
  readonly subnetIds: readonly string[];
  readonly limits: { readonly maxInstances: number; readonly maxSpendPerHourUsd: number };
  readonly prices: PriceList;
  readonly shapeTags: ShapeTags;
}

/**
 * Reads and validates the environment once at cold start.
 * @throws Error naming every bad variable: a deploy mistake, so the function fails at init.
 */
export function readScaleUpEnv(env: Record<string, string | undefined>): ScaleUpEnv {
  const base = scaleUpSettingsSchema.safeParse(env);
  if (!base.success)
    throw new Error(
      `scale-up environment is invalid: ${base.error.issues.map((i) => i.path.join('.')).join(', ')}`,
    );
  const s = base.data;
  const problems: string[] = [];
  const json = <T>(name: string, text: string, schema: z.ZodMiniType<T>): T | undefined => {
    try {
      const parsed = schema.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data;
    } catch {
      // reported below
    }
    problems.push(name);
    return undefined;
  };
  const scope = json('RUNNER_SCOPE', s.RUNNER_SCOPE, runnerScopeSchema);
  const pools = json('POOLS', s.POOLS, z.array(runtimePoolSchema));
  const subnetIds = json('SUBNET_IDS', s.SUBNET_IDS, z.array(z.string()));
  const prices = json('PRICES', s.PRICES, pricesSchema);
  const shapeTags = json('SHAPE_TAGS', s.SHAPE_TAGS, shapeTagsSchema);
  if (
    scope === undefined ||
    pools === undefined ||
    subnetIds === undefined ||
    prices === undefined ||
    shapeTags === undefined
  ) {
    throw new Error(`scale-up environment is invalid: ${problems.join(', ')}`);
  }
  return {
    stackName: s.STACK_NAME,
    instanceArnPrefix: s.RUNNER_INSTANCE_ARN_PREFIX,
    tableName: s.JOB_TABLE_NAME,
    gitlabUrl: s.GITLAB_URL,
    gitlabTokenParameter: s.GITLAB_TOKEN_PARAMETER,
    scope,
    pools,
    subnetIds,
    limits: { maxInstances: s.MAX_INSTANCES, maxSpendPerHourUsd: s.MAX_SPEND_PER_HOUR_USD },
    prices,
    shapeTags,
  };
}
