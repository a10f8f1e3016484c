import * as z from 'zod/mini';

const envSchema = z.object({
  DEMAND_QUEUE_URL: z.url(),
  LIFECYCLE_QUEUE_URL: z.url(),
  WEBHOOK_SECRET_PARAMETER: z.string().check(z.minLength(1)),
  /** The GitLab Spotlab serves: a hook naming another in `X-Gitlab-Instance` is refused. */
  GITLAB_URL: z.url(),
  SIGNING_TOKEN_PARAMETER: z.optional(z.string().check(z.minLength(1))),
  SECRET_CACHE_SECONDS: z._default(z.coerce.number().check(z.int(), z.nonnegative()), 300),
});

/** The webhook Lambda's settings, set by the stack. */
export type WebhookEnv = z.infer<typeof envSchema>;

/**
 * Reads the environment once at cold start.
 * @throws Error listing every bad variable: a deploy mistake, so the function fails loudly at init.
 */
export function readWebhookEnv(env: Record<string, string | undefined>): WebhookEnv {
  const parsed = envSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const names = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ');
  throw new Error(`webhook Lambda environment is invalid: ${names}`);
}
