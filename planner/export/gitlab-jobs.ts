import * as z from 'zod';
import {
  GitlabAuthError,
  GitlabNotFoundError,
  GitlabResponseError,
  GitlabUnavailableError,
} from '../../lambdas/shared/gitlab/errors';
import { retryDelayMs } from '../../lambdas/shared/gitlab/retry-after';

/** The fields of a job of `GET /projects/:id/jobs` a trace needs (the Jobs API's job object). */
const listedJobSchema = z.looseObject({
  id: z.int().positive(),
  name: z.string(),
  status: z.string(),
  created_at: z.string(),
  // Null for a job that never started (cancelled while pending): it has nothing to replay.
  started_at: z.string().nullish(),
  duration: z.number().nullish(),
  queued_duration: z.number().nullish(),
  tag_list: z.array(z.string()),
});
const jobListSchema = z.array(listedJobSchema);
/** GitLab's offset pagination header: the next page's number, empty on the last page. */
const nextPageSchema = z.string().regex(/^[1-9]\d*$/);

/** One job as the Jobs API lists it. */
export type ListedJob = z.infer<typeof listedJobSchema>;

/** How the export reaches GitLab. */
export interface JobPagesOptions {
  /** Base URL of the instance, without `/api/v4`. */
  readonly baseUrl: string;
  /** The API token (`read_api` is enough). Sent only to `baseUrl`'s origin, never printed. */
  readonly token: string;
  readonly projectId: number;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly now?: () => number;
  /** Attempts per page, the first included. @default 6 */
  readonly maxAttempts?: number;
  /** Longest wait between attempts, whatever Retry-After says. @default 120000 */
  readonly maxDelayMs?: number;
  /** Per-request timeout. @default 30000 */
  readonly timeoutMs?: number;
  /** Told about every wait before a retry (429, 5xx, network). */
  readonly onRetry?: (reason: string, delayMs: number) => void;
}

const sleepFor = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The project's finished jobs (success, failed, canceled), newest first, a page of 100 at a time.
 * Pages follow GitLab's keyset pagination (`pagination=keyset`, the `Link: <…>; rel="next"` header;
 * GitLab recommends it for the Jobs API since 15.9 because deep offsets time out), and fall back to
 * the offset headers (`x-next-page`) that older GitLab sends instead. 429 and 5xx are retried
 * after `Retry-After` (or a jittered backoff), a bounded number of times.
 */
export async function* finishedJobPages(options: JobPagesOptions): AsyncGenerator<ListedJob[]> {
  const api = `${options.baseUrl.replace(/\/+$/, '')}/api/v4`;
  const query = new URLSearchParams({ per_page: '100', pagination: 'keyset' });
  for (const scope of ['success', 'failed', 'canceled']) query.append('scope[]', scope);
  const first = `${api}/projects/${options.projectId}/jobs?${query}`;
  let url: string | undefined = first;
  while (url !== undefined) {
    const { body, headers } = await get(url, options);
    const jobs = jobListSchema.safeParse(body);
    if (!jobs.success) throw new GitlabResponseError('GitLab job list response has an unexpected shape');
    yield jobs.data;
    url = nextUrl(headers, url, api);
  }
}

/** The next page: the `rel="next"` link (keyset), else the offset page number, else none. */
function nextUrl(headers: Headers, current: string, api: string): string | undefined {
  const link = /<([^>]+)>;\s*rel="next"/.exec(headers.get('link') ?? '')?.[1];
  if (link !== undefined) {
    // The token goes with the request: follow a link only on the instance it was meant for.
    if (new URL(link).origin !== new URL(api).origin)
      throw new GitlabResponseError('GitLab pagination link points to another host');
    return link;
  }
  const page = nextPageSchema.safeParse(headers.get('x-next-page') ?? '');
  if (!page.success) return undefined;
  const next = new URL(current);
  next.searchParams.delete('pagination');
  next.searchParams.set('page', page.data);
  return next.toString();
}

async function get(url: string, options: JobPagesOptions): Promise<{ body: unknown; headers: Headers }> {
  const maxAttempts = options.maxAttempts ?? 6;
  const now = options.now ?? Date.now;
  const wait = async (attempt: number, reason: string, retryAfter: string | null): Promise<void> => {
    const delay = retryDelayMs(
      retryAfter,
      attempt,
      now(),
      options.random ?? Math.random,
      options.maxDelayMs ?? 120_000,
    );
    options.onRetry?.(reason, delay);
    await (options.sleep ?? sleepFor)(delay);
  };
  for (let attempt = 0; ; attempt += 1) {
    let response: Response;
    try {
      response = await (options.fetch ?? globalThis.fetch)(url, {
        headers: { 'PRIVATE-TOKEN': options.token, accept: 'application/json' },
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      });
    } catch (error) {
      if (attempt + 1 >= maxAttempts)
        throw new GitlabUnavailableError('GitLab GET jobs failed: network', { cause: error });
      await wait(attempt, 'network error', null);
      continue;
    }
    if (response.ok) return { body: await readJson(response), headers: response.headers };
    if (response.status === 401 || response.status === 403) throw new GitlabAuthError(response.status);
    if (response.status === 404) throw new GitlabNotFoundError('GitLab GET jobs: project not found');
    if (response.status !== 429 && response.status < 500)
      throw new GitlabResponseError(`GitLab GET jobs answered HTTP ${response.status}`);
    if (attempt + 1 >= maxAttempts)
      throw new GitlabUnavailableError(
        `GitLab GET jobs answered HTTP ${response.status} ${maxAttempts} times`,
      );
    await wait(attempt, `HTTP ${response.status}`, response.headers.get('retry-after'));
  }
}

// A proxy or SSO page can answer 200 with HTML; the body is not quoted in the error.
async function readJson(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    throw new GitlabResponseError('GitLab GET jobs answered 200 with a body that is not JSON');
  }
}
