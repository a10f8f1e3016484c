import * as z from 'zod/mini';

const nonEmpty = z.string().check(z.minLength(1));

/**
 * The lifecycle Lambda's environment, as the stack sets it. The GitLab token is not here: only
 * the name of the SecureString that holds it, read at run time.
 */
const lifecycleEnvSchema = z.object({
  STACK_NAME: nonEmpty,
  JOB_TABLE_NAME: nonEmpty,
  /** Where a job whose launched instance another job took is enqueued again. */
  DEMAND_QUEUE_URL: z.url(),
  GITLAB_URL: z.url(),
  GITLAB_TOKEN_PARAMETER: nonEmpty,
});

/** The lifecycle Lambda's settings, decoded. */
export interface LifecycleEnv {
  readonly stackName: string;
  readonly tableName: string;
  readonly demandQueueUrl: string;
  readonly gitlabUrl: string;
  readonly gitlabTokenParameter: string;
}

/**
 * Reads and validates the environment once at cold start.
 * @throws Error naming every bad variable: a deploy mistake, so the function fails at init.
 */
export function readLifecycleEnv(env: Record<string, string | undefined>): LifecycleEnv {
  const parsed = lifecycleEnvSchema.safeParse(env);
  if (!parsed.success)
    throw new Error(
      `lifecycle environment is invalid: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
    );
  const e = parsed.data;
  return {
    stackName: e.STACK_NAME,
    tableName: e.JOB_TABLE_NAME,
    demandQueueUrl: e.DEMAND_QUEUE_URL,
    gitlabUrl: e.GITLAB_URL,
    gitlabTokenParameter: e.GITLAB_TOKEN_PARAMETER,
  };
}
