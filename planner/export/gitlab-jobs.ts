import * as z from 'zod';
import { GitlabResponseError } from '../../lambdas/shared/gitlab/errors';
import { type GitlabHttpOptions, gitlabRequester, nextPageNumber } from '../../lambdas/shared/gitlab/request';

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

/** One job as the Jobs API lists it. */
export type ListedJob = z.infer<typeof listedJobSchema>;

/** How the export reaches GitLab: the requester's options, with an export's patience. */
export interface JobPagesOptions
  extends Omit<GitlabHttpOptions, 'token' | 'maxAttempts' | 'maxDelayMs' | 'timeoutMs'> {
  /** The API token (`read_api` is enough). Sent only to `baseUrl`'s origin, never printed. */
  readonly token: string;
  readonly projectId: number;
  /** Attempts per page, the first included. @default 6 */
  readonly maxAttempts?: number;
  /** Longest wait between attempts, whatever Retry-After says. @default 120000 */
  readonly maxDelayMs?: number;
  /** Per-request timeout. @default 30000 */
  readonly timeoutMs?: number;
}

/**
 * The project's finished jobs (success, failed, canceled), newest first, a page of 100 at a time.
 * Pages follow GitLab's keyset pagination (`pagination=keyset`, the `Link: <…>; rel="next"` header;
 * GitLab recommends it for the Jobs API since 15.9 because deep offsets time out), and fall back to
 * the offset headers (`x-next-page`) that older GitLab sends instead. 429 and 5xx are retried
 * after `Retry-After` (or a jittered backoff), a bounded number of times.
 */
export async function* finishedJobPages(options: JobPagesOptions): AsyncGenerator<ListedJob[]> {
  const get = gitlabRequester({
    ...options,
    token: async () => options.token,
    // An export is a long, unattended read: more patience than a Lambda has.
    maxAttempts: options.maxAttempts ?? 6,
    maxDelayMs: options.maxDelayMs ?? 120_000,
    timeoutMs: options.timeoutMs ?? 30_000,
  });
  const query = new URLSearchParams({ per_page: '100', pagination: 'keyset' });
  for (const scope of ['success', 'failed', 'canceled']) query.append('scope[]', scope);
  let next: string | undefined = `/projects/${options.projectId}/jobs?${query}`;
  while (next !== undefined) {
    const { body, headers } = await get('GET', next);
    const jobs = jobListSchema.safeParse(body);
    if (!jobs.success) throw new GitlabResponseError('GitLab job list response has an unexpected shape');
    yield jobs.data;
    next = nextPage(headers, next);
  }
}

/**
 * The next page: the `rel="next"` link (keyset; an absolute URL, which the requester follows only
 * on GitLab's own origin), else the current request with the offset page number, else none.
 */
function nextPage(headers: Headers, current: string): string | undefined {
  const link = /<([^>]+)>;\s*rel="next"/.exec(headers.get('link') ?? '')?.[1];
  if (link !== undefined) return link;
  const page = nextPageNumber(headers);
  if (page === undefined) return undefined;
  const at = current.indexOf('?');
  const query = new URLSearchParams(at < 0 ? '' : current.slice(at + 1));
  query.delete('pagination');
  query.set('page', String(page));
  return `${at < 0 ? current : current.slice(0, at)}?${query}`;
}
