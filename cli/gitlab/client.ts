import {
  GitlabAuthError,
  GitlabNotFoundError,
  GitlabResponseError,
  GitlabUnavailableError,
} from '../../lambdas/shared/gitlab/errors';

/** How the CLI reaches GitLab's REST API. */
export interface GitlabClientOptions {
  /** Base URL of the instance, without `/api/v4`. */
  readonly baseUrl: string;
  /** Never printed. */
  readonly token: string;
  readonly fetch?: typeof fetch;
  /** @default 10000 */
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
 * A small GET-only client: the operator runs one command and reads the answer, so a failure is
 * reported at once rather than retried (the Lambdas' adapter retries; an operator can re-run).
 */
export function gitlabClient(options: GitlabClientOptions): GitlabClient {
  const api = `${options.baseUrl.replace(/\/+$/, '')}/api/v4`;
  const send = async (path: string): Promise<Response> => {
    let response: Response;
    try {
      response = await (options.fetch ?? globalThis.fetch)(`${api}${path}`, {
        headers: { 'PRIVATE-TOKEN': options.token, accept: 'application/json' },
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      throw new GitlabUnavailableError(`GitLab at ${options.baseUrl} did not answer`, { cause: error });
    }
    if (response.ok) return response;
    const route = path.replace(/\?.*$/, '');
    if (response.status === 401 || response.status === 403) throw new GitlabAuthError(response.status);
    if (response.status === 404) throw new GitlabNotFoundError(`GitLab GET ${route}: not found`);
    throw new GitlabUnavailableError(`GitLab GET ${route} answered HTTP ${response.status}`);
  };
  const json = async (response: Response, path: string): Promise<unknown> => {
    try {
      return await response.json();
    } catch {
      // A proxy or SSO page can answer 200 with HTML.
      throw new GitlabResponseError(
        `GitLab GET ${path.replace(/\?.*$/, '')} answered with a body that is not JSON`,
      );
    }
  };
  return {
    async get(path) {
      return json(await send(path), path);
    },
    async page(path, page, perPage) {
      const separator = path.includes('?') ? '&' : '?';
      const paged = `${path}${separator}per_page=${perPage}&page=${page}`;
      const response = await send(paged);
      const next = response.headers.get('x-next-page') ?? '';
      return {
        body: await json(response, paged),
        nextPage: /^[1-9]\d*$/.test(next) ? Number(next) : undefined,
      };
    },
  };
}
