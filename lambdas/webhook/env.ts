import * as z from 'zod/mini';
import { decodeEnvironment, encodeEnvironment, json, text, type Variables } from '../shared/environment';
import { METRICS_NAMESPACE_VARIABLE, metricsNamespaceSchema } from '../shared/metric-names';

const nonEmpty = z.string().check(z.minLength(1));

/** How long the webhook Lambda keeps the secrets it read from SSM, unless configured. */
export const SECRET_CACHE_SECONDS_DEFAULT = 300;

/** The webhook Lambda's settings, decoded. */
export const webhookSettingsSchema = z.object({
  demandQueueUrl: z.url(),
  lifecycleQueueUrl: z.url(),
  /** Names of SecureStrings, read at run time: the secrets themselves are never in the environment. */
  webhookSecretParameter: nonEmpty,
  /** The GitLab Spotlab serves: a hook naming another in `X-Gitlab-Instance` is refused. */
  gitlabUrl: z.url(),
  signingTokenParameter: z.optional(nonEmpty),
  /** Its Spotlab's CloudWatch namespace (`metricsNamespaceOf`), which its metrics are written to. */
  metricsNamespace: metricsNamespaceSchema,
  secretCacheSeconds: z._default(z.int().check(z.minimum(0), z.maximum(3600)), SECRET_CACHE_SECONDS_DEFAULT),
});

/** The webhook Lambda's settings, set by the stack. */
export type WebhookEnv = z.infer<typeof webhookSettingsSchema>;

const VARIABLES: Variables<WebhookEnv> = {
  demandQueueUrl: text('DEMAND_QUEUE_URL'),
  lifecycleQueueUrl: text('LIFECYCLE_QUEUE_URL'),
  webhookSecretParameter: text('WEBHOOK_SECRET_PARAMETER'),
  gitlabUrl: text('GITLAB_URL'),
  signingTokenParameter: text('SIGNING_TOKEN_PARAMETER'),
  secretCacheSeconds: json('SECRET_CACHE_SECONDS'),
  metricsNamespace: METRICS_NAMESPACE_VARIABLE,
};

/** The environment the stack gives the webhook Lambda; no signing token parameter, no variable. */
export function encodeWebhookEnv(settings: WebhookEnv): Record<string, string> {
  return encodeEnvironment(VARIABLES, settings);
}

/**
 * Reads the environment once at cold start.
 * @throws EnvironmentError listing every bad variable: a deploy mistake, so the function fails loudly at init.
 */
export function readWebhookEnv(env: Readonly<Record<string, string | undefined>>): WebhookEnv {
  return decodeEnvironment('webhook Lambda', VARIABLES, webhookSettingsSchema, env);
}
