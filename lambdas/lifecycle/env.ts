import * as z from 'zod/mini';
import { decodeEnvironment, encodeEnvironment, text, type Variables } from '../shared/environment';
import { METRICS_NAMESPACE_VARIABLE, metricsNamespaceSchema } from '../shared/metric-names';

const nonEmpty = z.string().check(z.minLength(1));

/**
 * The lifecycle Lambda's settings, decoded. The GitLab token is not here: only the name of the
 * SecureString that holds it, read at run time.
 */
export const lifecycleSettingsSchema = z.object({
  stackName: nonEmpty,
  /** Its Spotlab's CloudWatch namespace (`metricsNamespaceOf`), which its metrics are written to. */
  metricsNamespace: metricsNamespaceSchema,
  tableName: nonEmpty,
  /** The interruption log (`lambdas/shared/interruptions/`), for the pools' spot cool-down. */
  interruptionTableName: nonEmpty,
  /** Where a job whose launched instance another job took is enqueued again. */
  demandQueueUrl: z.url(),
  gitlabUrl: z.url(),
  gitlabTokenParameter: nonEmpty,
});

/** The lifecycle Lambda's settings, decoded. */
export type LifecycleEnv = z.infer<typeof lifecycleSettingsSchema>;

const VARIABLES: Variables<LifecycleEnv> = {
  stackName: text('STACK_NAME'),
  metricsNamespace: METRICS_NAMESPACE_VARIABLE,
  tableName: text('JOB_TABLE_NAME'),
  interruptionTableName: text('INTERRUPTION_TABLE_NAME'),
  demandQueueUrl: text('DEMAND_QUEUE_URL'),
  gitlabUrl: text('GITLAB_URL'),
  gitlabTokenParameter: text('GITLAB_TOKEN_PARAMETER'),
};

/** The environment the stack gives the lifecycle Lambda. */
export function encodeLifecycleEnv(settings: LifecycleEnv): Record<string, string> {
  return encodeEnvironment(VARIABLES, settings);
}

/**
 * Reads and validates the environment once at cold start.
 * @throws EnvironmentError naming every bad variable: a deploy mistake, so the function fails at init.
 */
export function readLifecycleEnv(env: Readonly<Record<string, string | undefined>>): LifecycleEnv {
  return decodeEnvironment('lifecycle', VARIABLES, lifecycleSettingsSchema, env);
}
