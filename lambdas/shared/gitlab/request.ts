import * as z from 'zod/mini';
import {
  GitlabAuthError,
  GitlabJobNotRetryableError,
  GitlabNotFoundError,
  GitlabResponseError,
  GitlabUnavailableError,
} from './errors';
import { retryDelayMs } from './retry-after';

/** GitLab's error body: `{"message": "403 Forbidden - Job is not retryable"}`. */
const errorBodySchema = z.looseObject({ message: z.string() });
/** GitLab's offset pagination header: the next page's number, empty on the last page. */
const nextPageSchema = z.string().check(z.regex(/^[1-9]\d*$/));

/** How Spotlab reaches GitLab's REST API (the Lambdas' adapter, the trace export, the CLI). */
export interface GitlabHttpOptions {
  /** Base URL of the instance, without `/api/v4`. */
  readonly baseUrl: string;
  /** The API token; a loader, so it can come from a TTL cache. Never logged. */
  readonly token: () => Promise<string>;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  /** The clock a `Retry-After` date is read against. @default Date.now */
  readonly now?: () => number;
  /** Attempts per call, the first included. @default 3 */
  readonly maxAttempts?: number;
  /** Per-request timeout. @default 5000 */
  readonly timeoutMs?: number;
  /** Longest wait between attempts, whatever Retry-After says. @default 5000 */
  readonly maxDelayMs?: number;
  /** Told about every wait before a retry: `network error` or `HTTP 429` and the delay. */
  readonly onRetry?: (reason: string, delayMs: number) => void;
}

/** A successful answer: the parsed JSON body (`undefined` on 204) and the response headers. */
export interface GitlabAnswer {
  readonly body: unknown;
  readonly headers: Headers;
}

/**
 * One call to GitLab: `pathOrUrl` is a path under `/api/v4` (starting with `/`) or an absolute URL
 * on the same origin as `baseUrl`, such as a `Link: rel="next"` pagination URL.
 */
export type GitlabRequest = (
  method: string,
  pathOrUrl: string,
  form?: URLSearchParams,
) => Promise<GitlabAnswer>;

const sleepFor = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The one place Spotlab speaks HTTP to GitLab. 429, 5xx and network failures are retried (bounded by
 * `maxAttempts`) after `Retry-After` or a jittered backoff; 401/403 fail at once as
 * {@link GitlabAuthError}, because retrying a bad token only burns GitLab's rate limit (except the
 * retry endpoint's 403 "Job is not retryable", a {@link GitlabJobNotRetryableError}); 404 is
 * {@link GitlabNotFoundError}, any other 4xx {@link GitlabResponseError}. An absolute URL on another
 * origin is refused before anything is sent, so the token never leaves the GitLab host. No error
 * message carries the token.
 */
export function gitlabRequester(options: GitlabHttpOptions): GitlabRequest {
  const base = options.baseUrl.replace(/\/+$/, '');
  const api = `${base}/api/v4`;
  const maxAttempts = options.maxAttempts ?? 3;
  const wait = waiter(options);
  return async (method, pathOrUrl, form) => {
    const url = pathOrUrl.startsWith('/') ? `${api}${pathOrUrl}` : sameOrigin(pathOrUrl, api);
    const route = routeOf(url, api);
    const token = await options.token();
    for (let attempt = 1; ; attempt += 1) {
      const tries = `${attempt} attempt${attempt === 1 ? '' : 's'}`;
      let response: Response;
      try {
        // Looked up per call, not at creation: tests and the runtime may swap the global.
        response = await (options.fetch ?? globalThis.fetch)(url, {
          method,
          headers: { 'PRIVATE-TOKEN': token, accept: 'application/json' },
          body: form,
          signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
        });
      } catch (error) {
        if (attempt >= maxAttempts)
          throw new GitlabUnavailableError(`GitLab at ${base} did not answer ${method} ${route} (${tries})`, {
            cause: error,
          });
        await wait(attempt - 1, 'network error', null);
        continue;
      }
      if (response.ok) return { body: await readJson(response, method, route), headers: response.headers };
      const refusal = await refusalOf(response, method, route);
      if (refusal !== undefined) throw refusal;
      if (attempt >= maxAttempts)
        throw new GitlabUnavailableError(
          `GitLab ${method} ${route} answered HTTP ${response.status} (${tries})`,
        );
      await wait(attempt - 1, `HTTP ${response.status}`, response.headers.get('retry-after'));
    }
  };
}

/** Waits before retry `attempt` (0 for the first retry), after telling `onRetry`. */
function waiter(options: GitlabHttpOptions) {
  return async (attempt: number, reason: string, retryAfter: string | null): Promise<void> => {
    const now = (options.now ?? Date.now)();
    const cap = options.maxDelayMs ?? 5_000;
    const delay = retryDelayMs(retryAfter, attempt, now, options.random ?? Math.random, cap);
    options.onRetry?.(reason, delay);
    await (options.sleep ?? sleepFor)(delay);
  };
}

/**
 * The next page's number from GitLab's offset pagination header (`x-next-page`), or `undefined` on
 * the last page.
 */
export function nextPageNumber(headers: Headers): number | undefined {
  const next = nextPageSchema.safeParse(headers.get('x-next-page') ?? '');
  return next.success ? Number(next.data) : undefined;
}

// The token goes with every request: an absolute URL (a pagination link GitLab sent) is followed
// only on the instance it was meant for.
function sameOrigin(url: string, api: string): string {
  const origin = originOf(url);
  if (origin === undefined || origin !== originOf(api))
    throw new GitlabResponseError(
      `refusing to send the GitLab token off its host (to ${origin ?? 'a URL that is not absolute'})`,
    );
  return url;
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/** The call's route for error messages: no query, ids as `:id`, so messages stay constant. */
function routeOf(url: string, api: string): string {
  const path = url.startsWith(api) ? url.slice(api.length) : new URL(url).pathname;
  return path.replace(/[?#].*$/, '').replace(/\d+/g, ':id');
}

/** The error a non-2xx answer fails with at once, or `undefined` for a retryable one (429, 5xx). */
async function refusalOf(response: Response, method: string, route: string): Promise<Error | undefined> {
  // The retry endpoint answers 403 "Job is not retryable" for a job retried already: a refusal
  // about the job, not about the token, so it must not read as an auth failure.
  if (response.status === 403 && /not retryable/i.test(await errorMessage(response)))
    return new GitlabJobNotRetryableError(`GitLab ${method} ${route}: job is not retryable`);
  if (response.status === 401 || response.status === 403) return new GitlabAuthError(response.status);
  if (response.status === 404) return new GitlabNotFoundError(`GitLab ${method} ${route}: not found`);
  if (response.status === 429 || response.status >= 500) return undefined;
  return new GitlabResponseError(`GitLab ${method} ${route} answered HTTP ${response.status}`);
}

/** The `message` of a GitLab error body, or '' when there is none. */
async function errorMessage(response: Response): Promise<string> {
  try {
    const body = errorBodySchema.safeParse(await response.json());
    return body.success ? body.data.message : '';
  } catch {
    return '';
  }
}

// A proxy or SSO page can answer 200 with HTML; the body is not quoted in the error.
async function readJson(response: Response, method: string, route: string): Promise<unknown> {
  if (response.status === 204) return undefined;
  try {
    return await response.json();
  } catch {
    throw new GitlabResponseError(
      `GitLab ${method} ${route} answered ${response.status} with a body that is not JSON`,
    );
  }
}
