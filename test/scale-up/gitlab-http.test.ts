import { describe, expect, it } from 'vitest';
import {
  GitlabAuthError,
  GitlabNotFoundError,
  GitlabResponseError,
  GitlabUnavailableError,
} from '../../lambdas/shared/gitlab/errors';
import type { GitlabApi, RunnerSpec } from '../../lambdas/shared/gitlab/port';
import type { RunnerScope } from '../../lambdas/shared/runner-scope';
import {
  type Answer,
  API_TOKEN,
  fakeGitlab,
  json,
  jsonText,
  networkError,
  rejection,
} from '../shared/fake-gitlab';
import { fixtureJson, fixtureText } from '../support/fixtures';

const BASE_URL = 'https://gitlab.example.com';

/** An error answer with GitLab's `{"message": …}` body. */
const status = (code: number, headers: Record<string, string> = {}): Answer =>
  json({ message: `${code}` }, code, headers);

const runnerSpec = (scope: RunnerScope, changes: Partial<RunnerSpec> = {}): RunnerSpec => ({
  scope,
  projectId: 380,
  tags: ['spotlab', 'arm64'],
  runUntagged: false,
  maximumTimeoutSeconds: 3600,
  description: 'spotlab i-0123456789abcdef0',
  ...changes,
});

describe('gitlabHttpApi.getJob', () => {
  it('reads id, status and tag_list from GET /projects/:id/jobs/:job_id with the PRIVATE-TOKEN header', async () => {
    const gitlab = fakeGitlab([jsonText(fixtureText('api-get-job'))]);

    const job = await gitlab.api.getJob(380, 1977);

    expect(job).toEqual({ id: 1977, status: 'pending', tagList: ['linux', 'docker'] });
    const [request] = gitlab.requests;
    expect(request?.method).toBe('GET');
    expect(request?.url).toBe('https://gitlab.example.com/api/v4/projects/380/jobs/1977');
    expect(request?.headers.get('PRIVATE-TOKEN')).toBe(API_TOKEN);
  });

  it('keeps job ids above 2^31 exact in the path', async () => {
    const gitlab = fakeGitlab([
      jsonText(fixtureText('api-get-job').replace('"id": 1977', '"id": 8123456789'), 200),
    ]);

    const job = await gitlab.api.getJob(380, 8_123_456_789);

    expect(job.id).toBe(8_123_456_789);
    expect(gitlab.requests[0]?.url).toBe('https://gitlab.example.com/api/v4/projects/380/jobs/8123456789');
  });

  it('drops trailing slashes of the base URL', async () => {
    const gitlab = fakeGitlab([jsonText(fixtureText('api-get-job'))], { baseUrl: `${BASE_URL}//` });

    await gitlab.api.getJob(380, 1977);

    expect(gitlab.requests[0]?.url).toBe('https://gitlab.example.com/api/v4/projects/380/jobs/1977');
  });

  it('fails with GitlabNotFoundError on 404, without retrying', async () => {
    const gitlab = fakeGitlab([status(404)]);

    const error = await rejection(gitlab.api.getJob(380, 1977));

    expect(error).toBeInstanceOf(GitlabNotFoundError);
    expect(gitlab.requests).toHaveLength(1);
  });

  it('fails with GitlabResponseError when a 200 answer is not JSON (a proxy or SSO page)', async () => {
    const gitlab = fakeGitlab([() => new Response('<html>Sign in</html>', { status: 200 })]);

    const error = await rejection(gitlab.api.getJob(380, 1977));

    expect(error).toBeInstanceOf(GitlabResponseError);
  });
});

describe('gitlabHttpApi.createRunner', () => {
  it.each<[string, RunnerScope, Record<string, string | null>]>([
    ['project', { type: 'project' }, { runner_type: 'project_type', project_id: '380', group_id: null }],
    [
      'group',
      { type: 'group', groupId: 42 },
      { runner_type: 'group_type', project_id: null, group_id: '42' },
    ],
    ['instance', { type: 'instance' }, { runner_type: 'instance_type', project_id: null, group_id: null }],
  ])('posts a locked %s runner form to /user/runners', async (_name, scope, expected) => {
    const gitlab = fakeGitlab([jsonText(fixtureText('api-create-runner'), 201)]);

    await gitlab.api.createRunner(runnerSpec(scope));

    const [request] = gitlab.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('https://gitlab.example.com/api/v4/user/runners');
    expect(request?.headers.get('PRIVATE-TOKEN')).toBe(API_TOKEN);
    expect(request?.headers.get('content-type')).toMatch(/^application\/x-www-form-urlencoded/);
    const form = new URLSearchParams(await request?.text());
    expect({
      runner_type: form.get('runner_type'),
      project_id: form.get('project_id'),
      group_id: form.get('group_id'),
    }).toEqual(expected);
    expect(form.get('tag_list')).toBe('spotlab,arm64');
    expect(form.get('run_untagged')).toBe('false');
    expect(form.get('locked')).toBe('true');
    expect(form.get('maximum_timeout')).toBe('3600');
    expect(form.get('description')).toBe('spotlab i-0123456789abcdef0');
  });

  it.each([true, false])('sends run_untagged=%s as asked', async (runUntagged) => {
    const gitlab = fakeGitlab([jsonText(fixtureText('api-create-runner'), 201)]);

    await gitlab.api.createRunner(runnerSpec({ type: 'project' }, { runUntagged }));

    const form = new URLSearchParams(await gitlab.requests[0]?.text());
    expect(form.get('run_untagged')).toBe(String(runUntagged));
  });

  it('returns the id and glrt- token of the created runner', async () => {
    const gitlab = fakeGitlab([jsonText(fixtureText('api-create-runner'), 201)]);

    const runner = await gitlab.api.createRunner(runnerSpec({ type: 'project' }));

    expect(runner).toEqual({ id: 9171, token: 'glrt-EXAMPLEexampleEXAMPLE' });
  });

  it.each<[string, string]>([
    ['no token', JSON.stringify({ id: 9171, token_expires_at: null })],
    ['a token that is not a runner authentication token', JSON.stringify({ id: 9171, token: 'abc' })],
    ['no id', JSON.stringify({ token: 'glrt-EXAMPLEexampleEXAMPLE' })],
  ])('fails with GitlabResponseError on an answer with %s', async (_name, body) => {
    const gitlab = fakeGitlab([jsonText(body, 201)]);

    const error = await rejection(gitlab.api.createRunner(runnerSpec({ type: 'project' })));

    expect(error).toBeInstanceOf(GitlabResponseError);
    expect(gitlab.requests).toHaveLength(1);
  });
});

describe('gitlabHttpApi.getProject and getGroup', () => {
  it('reads where a project lives from GET /projects/:id', async () => {
    const gitlab = fakeGitlab([jsonText(fixtureText('api-get-project'))]);

    const project = await gitlab.api.getProject(380);

    expect(project).toEqual({
      id: 380,
      pathWithNamespace: 'acme/platform/gitlab-test',
      namespaceFullPath: 'acme/platform',
    });
    expect(gitlab.requests[0]?.method).toBe('GET');
    expect(gitlab.requests[0]?.url).toBe(`${BASE_URL}/api/v4/projects/380`);
  });

  it("reads a group's full path from GET /groups/:id, without its project list", async () => {
    const gitlab = fakeGitlab([jsonText(fixtureText('api-get-group'))]);

    const group = await gitlab.api.getGroup(12);

    expect(group).toEqual({ id: 12, fullPath: 'acme' });
    expect(gitlab.requests[0]?.url).toBe(`${BASE_URL}/api/v4/groups/12?with_projects=false`);
  });

  it('reports a project the token cannot see as not found, and a project without a namespace as unexpected', async () => {
    const { namespace: _, ...withoutNamespace } = fixtureJson('api-get-project');

    expect(await rejection(fakeGitlab([status(404)]).api.getProject(380))).toBeInstanceOf(
      GitlabNotFoundError,
    );
    expect(await rejection(fakeGitlab([json(withoutNamespace)]).api.getProject(380))).toBeInstanceOf(
      GitlabResponseError,
    );
  });
});

describe('gitlabHttpApi.deleteRunner', () => {
  it('sends DELETE /runners/:id and resolves on 204', async () => {
    const gitlab = fakeGitlab([() => new Response(null, { status: 204 })]);

    await gitlab.api.deleteRunner(9171);

    expect(gitlab.requests[0]?.method).toBe('DELETE');
    expect(gitlab.requests[0]?.url).toBe('https://gitlab.example.com/api/v4/runners/9171');
  });

  it('resolves on 404: a runner already gone is deleted (cleanup is idempotent)', async () => {
    const gitlab = fakeGitlab([status(404)]);

    await expect(gitlab.api.deleteRunner(9171)).resolves.toBeUndefined();
    expect(gitlab.requests).toHaveLength(1);
  });
});

describe('gitlabHttpApi: retries', () => {
  it.each<[string, number | undefined, number]>([
    ['Retry-After: 2 within the cap', undefined, 2000],
    ['Retry-After: 2 capped by maxDelayMs', 1500, 1500],
  ])('waits %s once, then succeeds', async (_name, maxDelayMs, expectedDelay) => {
    const gitlab = fakeGitlab([status(429, { 'Retry-After': '2' }), jsonText(fixtureText('api-get-job'))], {
      ...(maxDelayMs === undefined ? {} : { maxDelayMs }),
    });

    const job = await gitlab.api.getJob(380, 1977);

    expect(job.id).toBe(1977);
    expect(gitlab.requests).toHaveLength(2);
    expect(gitlab.delays).toEqual([expectedDelay]);
  });

  it.each([500, 502, 503, 429])(
    'fails with GitlabUnavailableError after exactly maxAttempts calls of HTTP %i',
    async (code) => {
      const gitlab = fakeGitlab([status(code)]);

      const error = await rejection(gitlab.api.getJob(380, 1977));

      expect(error).toBeInstanceOf(GitlabUnavailableError);
      expect(gitlab.requests).toHaveLength(3);
      expect(gitlab.delays).toHaveLength(2);
    },
  );

  it('backs off with bounded jitter when GitLab sends no Retry-After', async () => {
    const gitlab = fakeGitlab([status(503)], { random: () => 1 });

    await rejection(gitlab.api.getJob(380, 1977));

    // Full jitter over 250 ms × 2^attempt, with random() at its top.
    expect(gitlab.delays).toEqual([250, 500]);
  });

  it('retries a network error, then fails with GitlabUnavailableError after maxAttempts calls', async () => {
    const gitlab = fakeGitlab([networkError]);

    const error = await rejection(gitlab.api.getJob(380, 1977));

    expect(error).toBeInstanceOf(GitlabUnavailableError);
    expect(gitlab.requests).toHaveLength(3);
    expect(gitlab.delays).toHaveLength(2);
  });

  it('recovers when a network error is followed by an answer', async () => {
    const gitlab = fakeGitlab([networkError, jsonText(fixtureText('api-create-runner'), 201)]);

    const runner = await gitlab.api.createRunner(runnerSpec({ type: 'project' }));

    expect(runner.id).toBe(9171);
    expect(gitlab.requests).toHaveLength(2);
  });

  it.each([401, 403])('fails with GitlabAuthError on HTTP %i after exactly one call', async (code) => {
    const gitlab = fakeGitlab([status(code), jsonText(fixtureText('api-create-runner'), 201)]);

    const error = await rejection(gitlab.api.createRunner(runnerSpec({ type: 'project' })));

    expect(error).toBeInstanceOf(GitlabAuthError);
    expect(error).toMatchObject({ status: code, retryable: false });
    expect(gitlab.requests).toHaveLength(1);
    expect(gitlab.delays).toEqual([]);
  });

  it('fails with GitlabResponseError on another 4xx, without retrying', async () => {
    const gitlab = fakeGitlab([status(400)]);

    const error = await rejection(gitlab.api.createRunner(runnerSpec({ type: 'project' })));

    expect(error).toBeInstanceOf(GitlabResponseError);
    expect(gitlab.requests).toHaveLength(1);
  });
});

describe('gitlabHttpApi: the API token stays secret', () => {
  const failures: [string, Answer[], (api: GitlabApi) => Promise<unknown>][] = [
    ['401', [status(401)], (api) => api.getJob(380, 1977)],
    ['403', [status(403)], (api) => api.createRunner(runnerSpec({ type: 'project' }))],
    ['404', [status(404)], (api) => api.getJob(380, 1977)],
    ['400', [status(400)], (api) => api.deleteRunner(9171)],
    ['503 every time', [status(503)], (api) => api.createRunner(runnerSpec({ type: 'project' }))],
    ['a network error', [networkError], (api) => api.getJob(380, 1977)],
    [
      'an unexpected shape',
      [jsonText('{"id":9171}', 201)],
      (api) => api.createRunner(runnerSpec({ type: 'project' })),
    ],
  ];

  it.each(failures)('keeps the token out of the error of %s', async (_name, answers, call) => {
    const gitlab = fakeGitlab(answers);

    const error = await rejection(call(gitlab.api));

    expect(error.message).not.toContain(API_TOKEN);
    expect(String(error)).not.toContain(API_TOKEN);
    expect(error.stack ?? '').not.toContain(API_TOKEN);
    expect(JSON.stringify(error)).not.toContain(API_TOKEN);
  });
});
