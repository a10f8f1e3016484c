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

/** Read-only GET calls to GitLab; errors are the Lambdas' typed GitLab errors. */
export interface GitlabClient {
  get(path: string): Promise<unknown>;
  /** A list endpoint's page `page` of `perPage` (offset pagination, `x-next-page`). */
  page(path: string, page: number, perPage: number): Promise<Page>;
}

/**
 * A small GET-only client over the Lambdas' requester. An operator runs one command and reads the
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
  };
}
