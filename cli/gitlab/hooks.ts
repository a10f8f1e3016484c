import { z } from 'zod';
import { GitlabResponseError } from '../../lambdas/shared/gitlab/errors';
import type { Hook } from './api';
import type { GitlabClient } from './client';

/**
 * The event flags of the Spotlab webhook: Job events only. GitLab's defaults turn `push_events` on,
 * so every flag is sent; other events would be acknowledged and dropped, costing requests and the
 * webhook rate limit. Flags GitLab does not know (an older version) are ignored by its API.
 */
export const HOOK_EVENTS: Readonly<Record<string, boolean>> = {
  job_events: true,
  push_events: false,
  tag_push_events: false,
  issues_events: false,
  confidential_issues_events: false,
  merge_requests_events: false,
  note_events: false,
  confidential_note_events: false,
  pipeline_events: false,
  wiki_page_events: false,
  deployment_events: false,
  releases_events: false,
  feature_flag_events: false,
};

/** What the webhook is set to: its URL, its secret token, and the flags. */
export interface HookSettings {
  readonly url: string;
  /** Sent as the hook's `token`; GitLab never returns it. */
  readonly secretToken: string;
}

/** The form of a create or update: URL, secret token, event flags, SSL verification on. */
export function hookForm(settings: HookSettings): URLSearchParams {
  const form = new URLSearchParams({ url: settings.url, token: settings.secretToken });
  for (const [flag, on] of Object.entries(HOOK_EVENTS)) form.set(flag, String(on));
  form.set('enable_ssl_verification', 'true');
  return form;
}

const createdSchema = z.looseObject({ id: z.int() });

/** `POST /projects/:id/hooks`: the new hook's id. */
export async function createProjectHook(
  gitlab: GitlabClient,
  projectId: number,
  settings: HookSettings,
): Promise<number> {
  return parseId(await gitlab.send('POST', `/projects/${projectId}/hooks`, hookForm(settings)));
}

/** `PUT /projects/:id/hooks/:hook_id`: URL, token and flags set again. */
export async function updateProjectHook(
  gitlab: GitlabClient,
  projectId: number,
  hookId: number,
  settings: HookSettings,
): Promise<number> {
  return parseId(await gitlab.send('PUT', `/projects/${projectId}/hooks/${hookId}`, hookForm(settings)));
}

function parseId(body: unknown): number {
  const parsed = createdSchema.safeParse(body);
  if (!parsed.success) throw new GitlabResponseError('GitLab webhook response has an unexpected shape');
  return parsed.data.id;
}

/**
 * `POST /projects/:id/hooks/:hook_id/test/job_events` (GitLab 16.11+): GitLab builds a sample Job
 * Hook from the project's latest job and delivers it. It answers 201 when the receiver answered
 * 2xx, else 422 with the reason (the receiver's status, or "Ensure the project has CI jobs.").
 * Rate-limited to 5 calls a minute per project and user.
 */
export async function testProjectHook(
  gitlab: GitlabClient,
  projectId: number,
  hookId: number,
): Promise<void> {
  await gitlab.send('POST', `/projects/${projectId}/hooks/${hookId}/test/job_events`);
}

const projectListSchema = z.array(z.looseObject({ id: z.int(), path_with_namespace: z.string() }));

/** A project of a group. */
export interface GroupProject {
  readonly id: number;
  readonly path: string;
}

/**
 * `GET /groups/:id/projects` with `include_subgroups=true`, every page: the projects of the group
 * and of all its subgroups, without projects only shared with it (they belong to another group)
 * or archived (they run no jobs).
 */
export async function listGroupProjects(gitlab: GitlabClient, groupId: number): Promise<GroupProject[]> {
  const projects: GroupProject[] = [];
  const path = `/groups/${groupId}/projects?include_subgroups=true&with_shared=false&archived=false&order_by=id&sort=asc`;
  let page: number | undefined = 1;
  // 100 pages of 100: far beyond a group whose projects one webhook install should touch.
  for (let fetched = 0; page !== undefined && fetched < 100; fetched += 1) {
    const answer = await gitlab.page(path, page, 100);
    const parsed = projectListSchema.safeParse(answer.body);
    if (!parsed.success)
      throw new GitlabResponseError('GitLab project list response has an unexpected shape');
    projects.push(...parsed.data.map((p) => ({ id: p.id, path: p.path_with_namespace })));
    page = answer.nextPage;
  }
  return projects;
}

/** The hooks among `hooks` that point to `url` (trailing slashes aside). */
export function hooksTo(hooks: readonly Hook[], url: string): Hook[] {
  const bare = (u: string) => u.replace(/\/+$/, '');
  return hooks.filter((h) => bare(h.url) === bare(url));
}
