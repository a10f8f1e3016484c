import { z } from 'zod';
import { GitlabResponseError } from '../../lambdas/shared/gitlab/errors';
import { parseRunnerList, runnerListPath } from '../../lambdas/shared/gitlab/http-adapter';
import { launchJobOfRunner } from '../../lambdas/shared/gitlab/port';
import type { SpotlabConfig } from '../../lib/config/schema';
import type { GitlabClient } from './client';

const tokenSchema = z.looseObject({
  id: z.int(),
  name: z.string(),
  scopes: z.array(z.string()),
  active: z.boolean().optional(),
  revoked: z.boolean().optional(),
  expires_at: z.string().nullable().optional(),
});

const hookListSchema = z.array(
  z.looseObject({
    id: z.int(),
    url: z.string(),
    job_events: z.boolean().optional(),
    enable_ssl_verification: z.boolean().optional(),
    // `executable`, `temporarily_disabled` (after 4 failures in a row) or `disabled` (after 40).
    alert_status: z.string().optional(),
    // GitLab 19.0 and later: whether a secret token / signing token is set (never the token itself).
    token_present: z.boolean().optional(),
    signing_token_present: z.boolean().optional(),
  }),
);

/** One of Spotlab's runners as GitLab lists it. */
export interface SpotlabRunner {
  readonly id: number;
  /** The job it was created for (`spotlab job <id>`): the `spotlab:job-id` tag of its instance. */
  readonly jobId: number;
  /** `online`, `offline`, `stale` or `never_contacted`. */
  readonly status: string;
  readonly paused: boolean;
}

/** The runners listed, and whether the page bound cut the list short. */
export interface RunnerListing {
  readonly runners: readonly SpotlabRunner[];
  readonly truncated: boolean;
}

/** What `GET /personal_access_tokens/self` says about the token used. */
export type TokenInfo = z.infer<typeof tokenSchema>;
/** One webhook of a project or group. */
export type Hook = z.infer<typeof hookListSchema>[number];

/**
 * Spotlab's runners: `GET /runners` of the configured scope's type (`/runners/all` for instance
 * runners, which only an administrator sees), every page up to `maxPages` of 100, keeping those
 * named `spotlab job <id>`. The REST API cannot filter on the description. Path, parsing and
 * naming are the reaper's (`lambdas/shared/gitlab`); the CLI only pages with its own client.
 */
export async function listSpotlabRunners(
  gitlab: GitlabClient,
  scope: SpotlabConfig['runnerScope'],
  maxPages = 10,
): Promise<RunnerListing> {
  const path = runnerListPath(scope);
  const runners: SpotlabRunner[] = [];
  let page: number | undefined = 1;
  for (let fetched = 0; page !== undefined && fetched < maxPages; fetched += 1) {
    const answer = await gitlab.page(path, page, 100);
    for (const runner of parseRunnerList(answer.body)) {
      const jobId = launchJobOfRunner(runner.description);
      if (jobId !== undefined)
        runners.push({
          id: runner.id,
          jobId,
          // `status` is deprecated for removal in API v5; `online` stays.
          status: runner.status ?? (runner.online ? 'online' : 'offline'),
          paused: runner.paused,
        });
    }
    page = answer.nextPage;
  }
  return { runners, truncated: page !== undefined };
}

/** `GET /personal_access_tokens/self` (GitLab 15.5+): the token's scopes, state and expiry. */
export async function describeToken(gitlab: GitlabClient): Promise<TokenInfo> {
  const parsed = tokenSchema.safeParse(await gitlab.get('/personal_access_tokens/self'));
  if (!parsed.success) throw new GitlabResponseError('GitLab token response has an unexpected shape');
  return parsed.data;
}

/** Where a webhook may be: a project or a group (group webhooks need Premium). */
export interface HookOwner {
  readonly kind: 'project' | 'group';
  readonly id: number;
}

/** `GET /projects/:id/hooks` or `GET /groups/:id/hooks`, every page (Maintainer or Owner role). */
export async function listHooks(gitlab: GitlabClient, owner: HookOwner): Promise<Hook[]> {
  const hooks: Hook[] = [];
  let page: number | undefined = 1;
  // A project has few hooks; the bound only guards against a misbehaving server.
  for (let fetched = 0; page !== undefined && fetched < 10; fetched += 1) {
    const answer = await gitlab.page(`/${owner.kind}s/${owner.id}/hooks`, page, 100);
    const parsed = hookListSchema.safeParse(answer.body);
    if (!parsed.success)
      throw new GitlabResponseError('GitLab webhook list response has an unexpected shape');
    hooks.push(...parsed.data);
    page = answer.nextPage;
  }
  return hooks;
}
