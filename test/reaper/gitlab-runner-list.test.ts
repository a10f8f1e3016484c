import { describe, expect, it } from 'vitest';
import { GitlabAuthError, GitlabResponseError } from '../../lambdas/shared/gitlab/errors';
import type { RunnerScope } from '../../lambdas/shared/runner-scope';
import { API_TOKEN, fakeGitlab, json, rejection } from '../shared/fake-gitlab';

/** Runners of `GET /runners`, trimmed from the Runners API documentation's example (recent GitLab). */
const spotlabRunner = {
  id: 9037,
  description: 'spotlab i-0abc1234def567890',
  ip_address: null,
  active: true,
  paused: false,
  is_shared: false,
  runner_type: 'project_type',
  name: null,
  online: false,
  created_by: { id: 4, username: 'spotlab-bot' },
  created_at: '2026-11-23T08:40:00.000Z',
  status: 'never_contacted',
  job_execution_status: 'idle',
};
/** Older GitLab: no `created_at`; a runner registered without a description has `null`. */
const olderRunner = {
  id: 12,
  description: null,
  active: true,
  is_shared: false,
  name: null,
  online: true,
  status: 'online',
};

// GitLab sends x-next-page on every list answer, empty on the last page.
const runnersPage = (body: unknown, status = 200, nextPage = '') =>
  json(body, status, { 'x-next-page': nextPage });

describe('GitLab listRunners', () => {
  it.each<[string, RunnerScope, string]>([
    ['project runners through /runners', { type: 'project' }, '/runners?type=project_type'],
    ['group runners through /runners', { type: 'group', groupId: 12 }, '/runners?type=group_type'],
    [
      'instance runners through the admin-only /runners/all',
      { type: 'instance' },
      '/runners/all?type=instance_type',
    ],
  ])('lists %s, 100 a page, with the API token', async (_case, scope, path) => {
    const { api, requests } = fakeGitlab([runnersPage([])]);

    await api.listRunners(scope, 3);

    expect(requests.map((r) => r.url)).toEqual([
      `https://gitlab.example.com/api/v4${path}&per_page=100&page=3`,
    ]);
    expect(requests[0]?.headers.get('PRIVATE-TOKEN')).toBe(API_TOKEN);
  });

  it('reads each runner and the next page from x-next-page', async () => {
    const { api } = fakeGitlab([runnersPage([spotlabRunner, olderRunner], 200, '2')]);

    expect(await api.listRunners({ type: 'project' }, 1)).toEqual({
      runners: [
        {
          id: 9037,
          description: 'spotlab i-0abc1234def567890',
          online: false,
          status: 'never_contacted',
          paused: false,
          createdAtMs: Date.parse('2026-11-23T08:40:00.000Z'),
        },
        { id: 12, description: '', online: true, status: 'online', paused: false, createdAtMs: undefined },
      ],
      nextPage: 2,
    });
  });

  it('answers no next page on the last page', async () => {
    const { api } = fakeGitlab([runnersPage([spotlabRunner])]);

    expect((await api.listRunners({ type: 'project' }, 4)).nextPage).toBeUndefined();
  });

  it('reads a runner as online from its status where GitLab dropped `online`', async () => {
    const { online: _dropped, ...runner } = olderRunner;
    const { api } = fakeGitlab([runnersPage([runner])]);

    expect((await api.listRunners({ type: 'project' }, 1)).runners[0]?.online).toBe(true);
  });

  it.each<[string, unknown]>([
    ['a body that is not a list', { id: 9037 }],
    ['a runner without an id', [{ description: 'spotlab i-0abc' }]],
    ['a runner id that is a string', [{ ...spotlabRunner, id: '9037' }]],
    ['a created_at that is not a date', [{ ...spotlabRunner, created_at: 'yesterday' }]],
    ['a description that is not a string', [{ ...spotlabRunner, description: 42 }]],
  ])('refuses %s', async (_case, body) => {
    const { api } = fakeGitlab([runnersPage(body)]);

    const error = await rejection(api.listRunners({ type: 'project' }, 1));

    expect(error).toBeInstanceOf(GitlabResponseError);
    expect(error.message).toBe('GitLab runner list response has an unexpected shape');
  });

  it('fails on 403 (an instance scope without an administrator token) at once', async () => {
    const { api, requests } = fakeGitlab([runnersPage({ message: '403 Forbidden' }, 403)]);

    expect(await rejection(api.listRunners({ type: 'instance' }, 1))).toBeInstanceOf(GitlabAuthError);
    expect(requests).toHaveLength(1);
  });
});
