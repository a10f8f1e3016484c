import { GitlabAuthError, GitlabNotFoundError } from '../../lambdas/shared/gitlab/errors';
import type { Hook, HookOwner, TokenInfo } from '../gitlab/api';
import { NetworkError } from '../network-errors';
import { type Check, check, worst } from './model';

/**
 * What Spotlab does with its token (every call in lambdas/shared/gitlab/http-adapter.ts) and the
 * scopes that allow it. `api` allows all of them; cancel and retry allow nothing narrower.
 */
export const TOKEN_CAPABILITIES: readonly { readonly does: string; readonly scopes: readonly string[] }[] = [
  { does: 'read jobs and list pending jobs', scopes: ['api', 'read_api'] },
  { does: 'create runners (POST /user/runners)', scopes: ['api', 'create_runner'] },
  { does: 'delete runners and read their jobs (/runners/:id)', scopes: ['api', 'manage_runner'] },
  { does: 'cancel and retry an interrupted job', scopes: ['api'] },
];

/** A token expiring sooner than this is flagged: Spotlab stops launching the day it expires. */
const EXPIRY_WARNING_DAYS = 14;

/** The GitLab token works, is active and has the scopes Spotlab's calls need. */
export function checkToken(token: TokenInfo | Error, source: string, nowMs: number): Check {
  const id = 'gitlab-token';
  const replace = `Create a token with the api scope (a personal, group or project access token whose user has the Owner role on the project or group runners are created for: docs/gitlab-setup.md) and store it: aws ssm put-parameter --overwrite --type SecureString --name <gitlab.apiTokenParameter> --value 'glpat-…'`;
  if (token instanceof GitlabAuthError)
    return check(
      id,
      'fail',
      `GitLab refused the token from ${source} (HTTP ${token.status}): invalid, expired or revoked`,
      replace,
    );
  if (token instanceof GitlabNotFoundError)
    return check(
      id,
      'warn',
      `GitLab cannot describe the token from ${source} (GET /personal_access_tokens/self needs GitLab 15.5+ and an access token): scopes not checked`,
      'Make sure it has the api scope.',
    );
  if (token instanceof NetworkError) return check(id, 'fail', token.message, token.fix);
  if (token instanceof Error)
    return check(
      id,
      'fail',
      `token from ${source}: ${token.message}`,
      'Check gitlab.url and that GitLab is reachable from here.',
    );
  if (token.revoked === true || token.active === false)
    return check(
      id,
      'fail',
      `token "${token.name}" from ${source} is ${token.revoked === true ? 'revoked' : 'expired'}`,
      replace,
    );
  const missing = TOKEN_CAPABILITIES.filter((c) => !c.scopes.some((s) => token.scopes.includes(s)));
  if (missing.length > 0)
    return check(
      id,
      'fail',
      `token "${token.name}" from ${source} has scopes [${token.scopes.join(', ')}]; Spotlab cannot ${missing
        .map((c) => `${c.does} (needs ${c.scopes.join(' or ')})`)
        .join('; ')}`,
      replace,
    );
  const expires =
    token.expires_at === null || token.expires_at === undefined ? undefined : Date.parse(token.expires_at);
  const daysLeft =
    expires === undefined || Number.isNaN(expires) ? undefined : Math.floor((expires - nowMs) / 86_400_000);
  if (daysLeft !== undefined && daysLeft < EXPIRY_WARNING_DAYS)
    return check(
      id,
      'warn',
      `token "${token.name}" from ${source} expires in ${daysLeft} day(s) (${token.expires_at})`,
      `Rotate it before then. ${replace}`,
    );
  return check(id, 'ok', `token "${token.name}" from ${source} has scopes [${token.scopes.join(', ')}]`);
}

/** What the webhook must look like. */
export interface WebhookExpectation {
  /** The stack's `WebhookUrl` output. */
  readonly url: string;
  readonly secretParameter: string;
  /** Set when the configuration names a signing token: the hook must sign. */
  readonly signingParameter?: string;
}

/**
 * `owner` has a webhook to the stack's URL with job events, not disabled by GitLab, with a secret
 * token (and a signing token when configured). GitLab never returns either token: since 19.0 it
 * says whether one is set (`token_present`, `signing_token_present`); before, that is not checkable.
 */
export function checkWebhook(
  owner: HookOwner,
  hooks: readonly Hook[] | Error,
  expected: WebhookExpectation,
): Check {
  const id = `webhook:${owner.kind}:${owner.id}`;
  const where = `${owner.kind} ${owner.id}`;
  const settings = `${where}: Settings > Webhooks`;
  const install = `npx spotlab webhook install --${owner.kind} ${owner.id}`;
  const add = `Run \`${install}\`${owner.kind === 'group' ? ' (a project webhook on each of its projects)' : ''}, or in ${settings} > Add new webhook: URL ${expected.url}, Secret token = the value of ${expected.secretParameter}, trigger Job events only, SSL verification on.`;
  if (hooks instanceof GitlabNotFoundError)
    return check(
      id,
      'fail',
      `${where} not found, or the token cannot see it`,
      `Check the id (reaper.projectIds, runnerScope.groupId, --project, --group).`,
    );
  if (hooks instanceof GitlabAuthError)
    return check(
      id,
      'fail',
      `the token may not read the webhooks of ${where} (HTTP ${hooks.status})`,
      'Use a token of a Maintainer (project) or Owner (group) with the api scope (docs/gitlab-setup.md).',
    );
  if (hooks instanceof NetworkError) return check(id, 'fail', `${where}: ${hooks.message}`, hooks.fix);
  if (hooks instanceof Error)
    return check(
      id,
      'fail',
      `${where}: ${hooks.message}`,
      'Check gitlab.url and that GitLab is reachable from here.',
    );
  const same = (url: string) => url.replace(/\/+$/, '') === expected.url.replace(/\/+$/, '');
  const matching = hooks.filter((h) => same(h.url));
  const [hook] = matching;
  if (hook === undefined)
    return check(id, 'fail', `${where} has ${hooks.length} webhook(s), none to ${expected.url}`, add);
  const findings: { status: 'fail' | 'warn'; text: string; fix: string }[] = [];
  const fail = (text: string, fix: string) => findings.push({ status: 'fail', text, fix });
  const warn = (text: string, fix: string) => findings.push({ status: 'warn', text, fix });
  // A group hook is managed in GitLab; a project hook by `webhook install`, which repairs these.
  const repair = owner.kind === 'project' ? `Run \`${install}\`, or in` : 'In';
  if (hook.job_events !== true) fail('job events are off', `${repair} ${settings} > Edit: tick Job events.`);
  if (hook.alert_status === 'disabled' || hook.alert_status === 'temporarily_disabled')
    fail(
      `GitLab ${hook.alert_status.replace('_', ' ')} it after failed deliveries`,
      `Find the cause in ${settings} > Edit > Recent events, then save the webhook to re-enable it.`,
    );
  if (hook.token_present === false)
    fail(
      'it has no secret token: the webhook Lambda answers 401',
      `${repair} ${settings} > Edit: set Secret token to the value of ${expected.secretParameter}.`,
    );
  if (expected.signingParameter !== undefined && hook.signing_token_present === false)
    fail(
      'it does not sign deliveries but the configuration expects signatures',
      `In ${settings} > Edit: set the signing token to the value of ${expected.signingParameter}.`,
    );
  if (hook.token_present === undefined)
    warn(
      'GitLab before 19.0 does not say whether its secret token is set',
      `${owner.kind === 'project' ? `Run \`npx spotlab webhook test --project ${owner.id}\` (GitLab 16.11+), or in` : 'In'} ${settings}, use Test > Job events: 202 means the token matches, 401 that it is missing or wrong.`,
    );
  if (hook.enable_ssl_verification === false)
    warn('SSL verification is off', `${repair} ${settings} > Edit: tick Enable SSL verification.`);
  if (matching.length > 1)
    warn(
      `${matching.length} webhooks point to the stack: every event arrives ${matching.length} times (deduplicated)`,
      `In ${settings}, delete all but one.`,
    );
  if (findings.length === 0)
    return check(id, 'ok', `${where} has the webhook, with job events and a secret token`);
  return check(
    id,
    worst(findings.map((f) => f.status)),
    `${where} webhook ${hook.id}: ${findings.map((f) => f.text).join('; ')}`,
    findings.map((f) => f.fix).join(' '),
  );
}
