import { describe, expect, it } from 'vitest';
import { gitlabClient } from '../../cli/gitlab/client';
import {
  GitlabNotFoundError,
  GitlabResponseError,
  GitlabUnavailableError,
} from '../../lambdas/shared/gitlab/errors';
import { type GitlabAnswer, gitlabStub } from './harness';

/** The CLI's client against `routes`, with every wait recorded instead of slept. */
function client(routes: Parameters<typeof gitlabStub>[0]) {
  const stub = gitlabStub(routes);
  const sleeps: number[] = [];
  const gitlab = gitlabClient({
    baseUrl: 'https://gitlab.example.com',
    token: 'glpat-cli',
    fetch: stub.fetch,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 1,
  });
  return { gitlab, calls: stub.calls, sleeps };
}

/** Answers in order, the last one repeating. */
const inTurn = (...answers: GitlabAnswer[]) => {
  let calls = 0;
  return () => answers[Math.min(calls++, answers.length - 1)] ?? {};
};

describe('gitlabClient', () => {
  it('asks for a page with per_page and page, and reads the next page from x-next-page', async () => {
    const { gitlab, calls } = client({ '/runners': { body: [{ id: 1 }], nextPage: 3 } });

    const page = await gitlab.page('/runners?type=project_type', 2, 100);

    expect(page).toEqual({ body: [{ id: 1 }], nextPage: 3 });
    expect(calls[0]?.url.search).toBe('?type=project_type&per_page=100&page=2');
    expect(calls[0]?.token).toBe('glpat-cli');
  });

  it('retries a 503 after a short backoff, then reads the answer', async () => {
    const { gitlab, calls, sleeps } = client({
      '/personal_access_tokens/self': inTurn({ status: 503, body: {} }, { body: { id: 1 } }),
    });

    expect(await gitlab.get('/personal_access_tokens/self')).toEqual({ id: 1 });
    expect(calls).toHaveLength(2);
    expect(sleeps).toEqual([250]);
  });

  it('gives up with GitlabUnavailableError after three 503s', async () => {
    const { gitlab, calls, sleeps } = client({ '/runners': { status: 503, body: {} } });

    await expect(gitlab.page('/runners', 1, 100)).rejects.toBeInstanceOf(GitlabUnavailableError);
    expect(calls).toHaveLength(3);
    expect(sleeps).toEqual([250, 500]);
  });

  it.each<[number, new (...args: never[]) => Error]>([
    [404, GitlabNotFoundError],
    [400, GitlabResponseError],
  ])('fails on HTTP %i at once with a typed error', async (status, type) => {
    const { gitlab, calls } = client({ '/projects/42/hooks': { status, body: { message: `${status}` } } });

    await expect(gitlab.page('/projects/42/hooks', 1, 100)).rejects.toBeInstanceOf(type);
    expect(calls).toHaveLength(1);
  });
});
