import { describe, expect, it } from 'vitest';
import {
  GitlabAuthError,
  GitlabJobNotRetryableError,
  GitlabNotFoundError,
  GitlabResponseError,
  GitlabUnavailableError,
} from '../../lambdas/shared/gitlab/errors';
import { type GitlabHttpOptions, gitlabRequester, nextPageNumber } from '../../lambdas/shared/gitlab/request';
import { type Answer, json, networkError, rejection, scriptedGitlab } from './fake-gitlab';

const TOKEN = 'glpat-request-test-do-not-leak';
const NOW = Date.parse('2026-11-23T10:00:00Z');

/**
 * The requester over a scripted GitLab, with a fixed clock and jitter, recording each retry it
 * reports and each read of the token.
 */
function fakeGitlab(answers: readonly Answer[], options: Partial<GitlabHttpOptions> = {}) {
  const gitlab = scriptedGitlab(answers);
  const retries: string[] = [];
  let tokenReads = 0;
  const send = gitlabRequester({
    baseUrl: 'https://gitlab.example.com/',
    token: async () => {
      tokenReads += 1;
      return TOKEN;
    },
    fetch: gitlab.fetch,
    sleep: gitlab.sleep,
    random: () => 0.5,
    now: () => NOW,
    onRetry: (reason, delayMs) => retries.push(`${reason} ${delayMs}`),
    ...options,
  });
  return { send, requests: gitlab.requests, sleeps: gitlab.sleeps, retries, tokenReads: () => tokenReads };
}

describe('gitlabRequester: where it sends', () => {
  it('sends a path under /api/v4 with the method, the PRIVATE-TOKEN header and the form', async () => {
    const gitlab = fakeGitlab([json({ id: 1 }, 201)]);

    const answer = await gitlab.send('POST', '/user/runners', new URLSearchParams({ locked: 'true' }));

    expect(answer.body).toEqual({ id: 1 });
    const [request] = gitlab.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('https://gitlab.example.com/api/v4/user/runners');
    expect(request?.headers.get('PRIVATE-TOKEN')).toBe(TOKEN);
    expect(await request?.text()).toBe('locked=true');
  });

  it('follows an absolute URL on the same origin as baseUrl, such as a pagination link', async () => {
    const gitlab = fakeGitlab([json([])]);
    const link = 'https://gitlab.example.com/api/v4/projects/42/jobs?cursor=abc&per_page=100';

    await gitlab.send('GET', link);

    expect(gitlab.requests[0]?.url).toBe(link);
  });

  it.each([
    ['on another host', 'https://evil.example.net/api/v4/projects/42/jobs'],
    ['on another scheme', 'http://gitlab.example.com/api/v4/projects/42/jobs'],
    ['on another port', 'https://gitlab.example.com:8443/api/v4/projects/42/jobs'],
    ['that is relative', 'projects/42/jobs'],
  ])(
    'refuses a URL %s before sending anything, so the token never leaves the instance',
    async (_name, url) => {
      const gitlab = fakeGitlab([json([])]);

      const error = await rejection(gitlab.send('GET', url));

      expect(error).toBeInstanceOf(GitlabResponseError);
      expect(error.message).not.toContain(TOKEN);
      expect(gitlab.requests).toHaveLength(0);
    },
  );

  it('answers 204 with no body and hands back the response headers', async () => {
    const gitlab = fakeGitlab([() => new Response(null, { status: 204, headers: { 'x-request-id': 'r1' } })]);

    const answer = await gitlab.send('DELETE', '/runners/9171');

    expect(answer.body).toBeUndefined();
    expect(answer.headers.get('x-request-id')).toBe('r1');
  });

  it('reads the token once per call, however many attempts the call takes', async () => {
    const gitlab = fakeGitlab([json({}, 503), json({})]);

    await gitlab.send('GET', '/projects/1/jobs/2');

    expect(gitlab.requests).toHaveLength(2);
    expect(gitlab.tokenReads()).toBe(1);
  });
});

describe('gitlabRequester: retries', () => {
  it('waits until the Retry-After date, read against the injected clock, and reports the wait', async () => {
    const at = new Date(NOW + 3_000).toUTCString();
    const gitlab = fakeGitlab([json({}, 429, { 'retry-after': at }), json({})]);

    await gitlab.send('GET', '/projects/1/jobs');

    expect(gitlab.sleeps).toEqual([3000]);
    expect(gitlab.retries).toEqual(['HTTP 429 3000']);
  });

  it('reports a network failure as the retry reason, then fails after maxAttempts calls', async () => {
    const gitlab = fakeGitlab([networkError], { maxAttempts: 2 });

    const error = await rejection(gitlab.send('GET', '/projects/1/jobs'));

    expect(error).toBeInstanceOf(GitlabUnavailableError);
    expect(gitlab.requests).toHaveLength(2);
    // Full jitter over 250 ms with random() at 0.5.
    expect(gitlab.retries).toEqual(['network error 125']);
  });

  it('names the route without ids or query in its errors, and the attempts it made', async () => {
    const gitlab = fakeGitlab([json({ message: 'down' }, 502)]);

    const error = await rejection(gitlab.send('GET', `/projects/380/jobs/1977?private_token=${TOKEN}`));

    expect(error.message).toBe('GitLab GET /projects/:id/jobs/:id answered HTTP 502 (3 attempts)');
  });
});

describe('gitlabRequester: failures that are not retried', () => {
  it.each<[string, Answer, new (...args: never[]) => Error]>([
    ['401', json({ message: '401 Unauthorized' }, 401), GitlabAuthError],
    ['403', json({ message: '403 Forbidden' }, 403), GitlabAuthError],
    [
      '403 "Job is not retryable"',
      json({ message: '403 Forbidden - Job is not retryable' }, 403),
      GitlabJobNotRetryableError,
    ],
    ['404', json({ message: '404 Not found' }, 404), GitlabNotFoundError],
    ['400', json({ message: '400 Bad request' }, 400), GitlabResponseError],
    ['200 with an HTML body', () => new Response('<html>Sign in</html>'), GitlabResponseError],
  ])(
    'fails on %s after one call, with a typed error that never names the token',
    async (_name, answer, type) => {
      const gitlab = fakeGitlab([answer]);

      const error = await rejection(gitlab.send('GET', '/projects/380/jobs/1977'));

      expect(error).toBeInstanceOf(type);
      expect(gitlab.requests).toHaveLength(1);
      expect(gitlab.sleeps).toEqual([]);
      expect(`${String(error)} ${error.stack ?? ''} ${JSON.stringify(error)}`).not.toContain(TOKEN);
    },
  );
});

describe('nextPageNumber', () => {
  it.each<[string, Record<string, string>, number | undefined]>([
    ['the next page', { 'x-next-page': '2' }, 2],
    ['none on the last page (empty header)', { 'x-next-page': '' }, undefined],
    ['none without the header', {}, undefined],
    ['none for a header that is not a page number', { 'x-next-page': '0' }, undefined],
  ])('reads %s from x-next-page', (_name, headers, expected) => {
    expect(nextPageNumber(new Headers(headers))).toBe(expected);
  });
});
