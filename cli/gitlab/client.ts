import { z } from 'zod';
import { GitlabResponseError } from '../../lambdas/shared/gitlab/errors';
import { type GitlabHttpOptions, gitlabRequester, nextPageNumber } from '../../lambdas/shared/gitlab/request';

/** How the CLI reaches GitLab's REST API: the requester's options, with a fixed token. */
export interface GitlabClientOptions extends Omit<GitlabHttpOptions, 'token' | 'timeoutMs'> {
  /** Never printed. */
  readonly token: string;
  /** Per-request timeout. @default 10000 */
  readonly timeoutMs?: number;
}

/** One page of a list: its items and the next page's number, if any. */
export interface Page {
  readonly body: unknown;
  readonly nextPage: number | undefined;
}

/** Calls to GitLab; errors are the Lambdas' typed GitLab errors. */
export interface GitlabClient {
  get(path: string): Promise<unknown>;
  /** A list endpoint's page `page` of `perPage` (offset pagination, `x-next-page`). */
  page(path: string, page: number, perPage: number): Promise<Page>;
  /**
   * A call that changes something (`POST`, `PUT`), sent once: one that timed out may have been
   * applied, and what calls it (`webhook install`) finds its result again on the next run. A 4xx
   * other than 401/403/404 fails with GitLab's own `message` (e.g. a test event's
   * "Ensure the project has CI jobs.") in the {@link GitlabResponseError}.
   */
  send(method: 'POST' | 'PUT', path: string, form?: URLSearchParams): Promise<unknown>;
}

const errorBodySchema = z.looseObject({ message: z.unknown() });

/**
 * A small client over the Lambdas' requester. An operator runs one command and reads the
 * answer, so it retries 429, 5xx and network failures only briefly (a few attempts, short waits)
 * before it reports the failure.
 */
export function gitlabClient(options: GitlabClientOptions): GitlabClient {
  const send = gitlabRequester({
    ...options,
    token: async () => options.token,
    timeoutMs: options.timeoutMs ?? 10_000,
  });
  return {
    async get(path) {
      return (await send('GET', path)).body;
    },
    async page(path, page, perPage) {
      const separator = path.includes('?') ? '&' : '?';
      const { body, headers } = await send('GET', `${path}${separator}per_page=${perPage}&page=${page}`);
      return { body, nextPage: nextPageNumber(headers) };
    },
    async send(method, path, form) {
      let refusal: string | undefined;
      const fetcher = options.fetch ?? globalThis.fetch;
      const once = gitlabRequester({
        ...options,
        token: async () => options.token,
        timeoutMs: options.timeoutMs ?? 10_000,
        maxAttempts: 1,
        fetch: async (input, init) => {
          const response = await fetcher(input, init);
          if (!response.ok) refusal = await messageOf(response.clone());
          return response;
        },
      });
      try {
        return (await once(method, path, form)).body;
      } catch (error) {
        if (error instanceof GitlabResponseError && error.name === 'GitlabResponseError' && refusal)
          throw new GitlabResponseError(`${error.message}: ${refusal}`, { cause: error });
        throw error;
      }
    },
  };
}

/** GitLab's error `message` (a string, or an object of field errors), or undefined. */
async function messageOf(response: Response): Promise<string | undefined> {
  try {
    const body = errorBodySchema.safeParse(await response.json());
    if (!body.success || body.data.message === undefined) return undefined;
    const { message } = body.data;
    return typeof message === 'string' ? message : JSON.stringify(message);
  } catch {
    return undefined;
  }
}
