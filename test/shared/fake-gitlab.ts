import { type GitlabHttpOptions, gitlabHttpApi } from '../../lambdas/shared/gitlab/http-adapter';

/**
 * A scripted GitLab behind an injected fetch, shared by the tests of the requester and of the
 * Lambdas' GitLab adapter.
 */

/** One answer: a fresh Response per call (a body reads once), or a throw for a network error. */
export type Answer = () => Response;

/**
 * Answers in order, the last one repeating; records every request as fetch would put it on the
 * wire, and gives a sleep that records each wait instead of waiting.
 */
export function scriptedGitlab(answers: readonly Answer[]) {
  const requests: Request[] = [];
  const sleeps: number[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    requests.push(new Request(input, init));
    const answer = answers[Math.min(requests.length, answers.length) - 1];
    if (answer === undefined) throw new Error('the fake GitLab has no answer');
    return answer();
  };
  const sleep = async (ms: number): Promise<void> => {
    sleeps.push(ms);
  };
  return { fetch, sleep, requests, sleeps };
}

/** An answer whose body is already JSON text: a recorded fixture, or text that only claims to be JSON. */
export const jsonText =
  (body: string, status = 200, headers: Record<string, string> = {}): Answer =>
  () =>
    new Response(body, { status, headers: { 'content-type': 'application/json', ...headers } });

/** An answer with `body` serialised as JSON. */
export const json = (body: unknown, status = 200, headers: Record<string, string> = {}): Answer =>
  jsonText(JSON.stringify(body), status, headers);

/** The network failing: fetch (undici) rejects with a TypeError, not an HTTP answer. */
export const networkError: Answer = () => {
  throw new TypeError('fetch failed');
};

/** The error a call rejects with; fails the test if it resolves or rejects with a non-Error. */
export async function rejection(call: Promise<unknown>): Promise<Error> {
  try {
    await call;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`rejected with a non-Error: ${String(error)}`);
  }
  throw new Error('expected the call to reject');
}

/** The API token every fake GitLab expects; tests assert it never shows in an error. */
export const API_TOKEN = 'glpat-TEST-api-token-do-not-leak';

/**
 * The Lambdas' GitLab adapter over a scripted GitLab at `https://gitlab.example.com`: jitter fixed at
 * half its range, 3 attempts per call, waits recorded in `delays`.
 */
export function fakeGitlab(answers: readonly Answer[], options: Partial<GitlabHttpOptions> = {}) {
  const gitlab = scriptedGitlab(answers);
  const api = gitlabHttpApi({
    baseUrl: 'https://gitlab.example.com',
    token: async () => API_TOKEN,
    fetch: gitlab.fetch,
    sleep: gitlab.sleep,
    random: () => 0.5,
    maxAttempts: 3,
    ...options,
  });
  return { api, requests: gitlab.requests, delays: gitlab.sleeps };
}
