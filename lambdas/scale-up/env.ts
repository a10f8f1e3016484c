import * as z from 'zod/mini';
import { decodeEnvironment, encodeEnvironment, json, text, type Variables } from '../shared/environment';
import { METRICS_NAMESPACE_VARIABLE, metricsNamespaceSchema } from '../shared/metric-names';
import { priceListSchema } from '../shared/prices';
import { runnerScopeSchema } from '../shared/runner-scope';
import { EC2_LAUNCH_RATE } from './launch-pacing';
import { runtimePoolSchema } from './runtime-pool';

const nonEmpty = z.string().check(z.minLength(1));
const NAMESPACE_PATH = /^[A-Za-z0-9_][A-Za-z0-9_.-]*(\/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$/;

/**
 * Tags by which a job asks for a machine shape (`cpu:8`, `mem:16`); the configuration's
 * `shapeTags` is this object.
 */
export const shapeTagsSchema = z.strictObject({
  /**
   * A job tag `<prefix><n>` asks for at least n vCPUs.
   * @default "cpu:"
   */
  cpuPrefix: z._default(nonEmpty, 'cpu:'),
  /**
   * A job tag `<prefix><n>` asks for at least n GiB of memory.
   * @default "mem:"
   */
  memoryGiBPrefix: z._default(nonEmpty, 'mem:'),
});

/**
 * Which projects may cause launches (the configuration's `gitlab.allowedProjects` and
 * `gitlab.allowedNamespaces`); both absent admits every project.
 */
export const admissionSchema = z.object({
  allowedProjects: z.optional(
    z.array(z.int().check(z.positive())).check(z.minLength(1, 'must list at least one project id')),
  ),
  /** Namespace full paths, `acme/platform`: no leading or trailing slash, no empty segment. */
  allowedNamespaces: z.optional(
    z
      .array(z.string().check(z.regex(NAMESPACE_PATH, 'must be a namespace full path such as acme/platform')))
      .check(z.minLength(1, 'must list at least one namespace')),
  ),
});

/**
 * The scale-up Lambda's settings, decoded. The GitLab token is not here: only the name of the
 * SecureString that holds it, read at run time.
 */
export const scaleUpSettingsSchema = z.object({
  stackName: nonEmpty,
  /** Its Spotlab's CloudWatch namespace (`metricsNamespaceOf`), which its metrics are written to. */
  metricsNamespace: metricsNamespaceSchema,
  /**
   * `arn:<partition>:ec2:<region>:<account>:instance/`: with an instance id, the owner tag of its
   * runner token parameter, which the instance role's policy compares with the caller's ARN.
   */
  instanceArnPrefix: z.string().check(z.regex(/^arn:.+:ec2:.+:instance\/$/)),
  tableName: nonEmpty,
  /** The interruption log (`lambdas/shared/interruptions/`), for the pools' spot cool-down. */
  interruptionTableName: nonEmpty,
  gitlabUrl: z.url(),
  gitlabTokenParameter: nonEmpty,
  scope: runnerScopeSchema,
  admission: admissionSchema,
  pools: z.array(runtimePoolSchema),
  /** Subnets to spread instances over. */
  subnetIds: z.array(z.string()),
  limits: z.object({
    maxInstances: z.int().check(z.positive()),
    maxSpendPerHourUsd: z.number().check(z.positive()),
    maxInstancesPerProject: z.optional(z.int().check(z.positive())),
  }),
  prices: priceListSchema,
  shapeTags: shapeTagsSchema,
  /** The demand queue itself: a job that must wait is re-sent there with a delay. */
  demandQueueUrl: nonEmpty,
  /**
   * The account's instance-launch bucket that launches are paced to (EC2's default: 1,000, then
   * 2 a second). Lower it where other stacks of the account launch too.
   */
  ec2LaunchRate: z._default(
    z.object({ burst: z.int().check(z.positive()), perSecond: z.number().check(z.positive()) }),
    EC2_LAUNCH_RATE,
  ),
});

/** The scale-up Lambda's settings, decoded. */
export type ScaleUpEnv = z.infer<typeof scaleUpSettingsSchema>;

const VARIABLES: Variables<ScaleUpEnv> = {
  stackName: text('STACK_NAME'),
  metricsNamespace: METRICS_NAMESPACE_VARIABLE,
  instanceArnPrefix: text('RUNNER_INSTANCE_ARN_PREFIX'),
  tableName: text('JOB_TABLE_NAME'),
  interruptionTableName: text('INTERRUPTION_TABLE_NAME'),
  gitlabUrl: text('GITLAB_URL'),
  gitlabTokenParameter: text('GITLAB_TOKEN_PARAMETER'),
  scope: json('RUNNER_SCOPE'),
  admission: { allowedProjects: json('ALLOWED_PROJECTS'), allowedNamespaces: json('ALLOWED_NAMESPACES') },
  pools: json('POOLS'),
  subnetIds: json('SUBNET_IDS'),
  limits: {
    maxInstances: json('MAX_INSTANCES'),
    maxSpendPerHourUsd: json('MAX_SPEND_PER_HOUR_USD'),
    maxInstancesPerProject: json('MAX_INSTANCES_PER_PROJECT'),
  },
  prices: json('PRICES'),
  shapeTags: json('SHAPE_TAGS'),
  demandQueueUrl: text('DEMAND_QUEUE_URL'),
  ec2LaunchRate: json('EC2_LAUNCH_RATE'),
};

/**
 * The environment the stack gives the scale-up Lambda. `stringify` writes JSON values (the stack
 * passes `Stack.toJsonString`: pools and subnets hold CloudFormation tokens).
 */
export function encodeScaleUpEnv(
  settings: ScaleUpEnv,
  stringify?: (value: unknown) => string,
): Record<string, string> {
  return encodeEnvironment(VARIABLES, settings, stringify);
}

/**
 * Reads and validates the environment once at cold start.
 * @throws EnvironmentError naming every bad variable: a deploy mistake, so the function fails at init.
 */
export function readScaleUpEnv(env: Readonly<Record<string, string | undefined>>): ScaleUpEnv {
  return decodeEnvironment('scale-up', VARIABLES, scaleUpSettingsSchema, env);
}
