import type { JobMessageQueue } from '../shared/adapters/sqs-queue';
import type { JobMessage } from '../shared/job-messages';
import { classifyJobEvent } from './classify-job-event';
import { verifyGitlabInstance } from './gitlab-instance';
import type { WebhookRequest } from './http-request';
import { parseWebhookBody } from './job-hook';
import type { RecentKeys } from './recent-keys';
import { verifySignature } from './signature';
import { verifyGitlabToken } from './token-auth';

/** The secrets the webhook checks against; loaders cache, so calling per request is cheap. */
export interface WebhookSecrets {
  gitlabToken(): Promise<string>;
  /** `undefined` when no signing token is configured. */
  signingToken(): Promise<string | undefined>;
}

/** Everything `receiveWebhook` talks to, passed in so tests and the simulator swap them. */
export interface IntakeDeps {
  readonly secrets: WebhookSecrets;
  readonly queue: JobMessageQueue;
  readonly recentKeys: RecentKeys;
  readonly now: () => number;
  /** Host of the GitLab Spotlab serves (`gitlab.url`), which `X-Gitlab-Instance` must name. */
  readonly gitlabHost: string;
}

/** What happened to an authenticated request. */
export type IntakeResult =
  | { readonly outcome: 'accepted'; readonly message: JobMessage }
  | {
      readonly outcome: 'ignored';
      readonly reason: string;
      readonly jobId?: number;
      readonly status?: string;
    };

// GitLab sends a UUID; anything else is not trusted as a dedupe key. At most 64 characters, so
// the key with the job id and status it is bound to stays within a message's 128.
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * Authenticates, validates, filters and enqueues one webhook request. It never calls GitLab or EC2,
 * so it answers well inside GitLab's 10 s budget.
 * @throws RequestRefusedError for a request to refuse (nothing enqueued);
 * ParameterUnavailableError or QueueUnavailableError when Spotlab itself failed.
 */
export async function receiveWebhook(request: WebhookRequest, deps: IntakeDeps): Promise<IntakeResult> {
  const [token, signingToken] = await Promise.all([deps.secrets.gitlabToken(), deps.secrets.signingToken()]);
  const header = (name: string): string | undefined => request.headers.get(name);
  verifyGitlabToken(header('x-gitlab-token'), token);
  if (signingToken !== undefined) {
    const signed = {
      id: header('webhook-id'),
      timestamp: header('webhook-timestamp'),
      signature: header('webhook-signature'),
    };
    verifySignature(signed, request.body, signingToken, deps.now());
  }
  verifyGitlabInstance(header('x-gitlab-instance'), deps.gitlabHost);
  const event = header('x-gitlab-event');
  if (event !== undefined && event !== 'Job Hook') return { outcome: 'ignored', reason: 'not_job_event' };
  const parsed = parseWebhookBody(request.body);
  if (parsed.kind === 'other') return { outcome: 'ignored', reason: 'not_job_event' };
  const candidateKey = header('idempotency-key');
  const sorted = classifyJobEvent(parsed.hook, {
    idempotencyKey:
      candidateKey !== undefined && IDEMPOTENCY_KEY.test(candidateKey) ? candidateKey : undefined,
    receivedAt: new Date(deps.now()).toISOString(),
  });
  const job = { jobId: parsed.hook.build_id, status: parsed.hook.build_status };
  if (sorted.action === 'ignore') return { outcome: 'ignored', reason: sorted.reason, ...job };
  if (deps.recentKeys.has(sorted.message.idempotencyKey))
    return { outcome: 'ignored', reason: 'duplicate', ...job };
  await deps.queue.send(sorted.message);
  deps.recentKeys.remember(sorted.message.idempotencyKey);
  return { outcome: 'accepted', message: sorted.message };
}
