import * as z from 'zod/mini';
import {
  GitlabAuthError,
  GitlabJobNotRetryableError,
  GitlabNotFoundError,
  GitlabResponseError,
  GitlabUnavailableError,
} from './errors';
import type {
  CreatedRunner,
  GitlabApi,
  GitlabJob,
  GitlabJobControl,
  GitlabJobListing,
  GitlabRunnerActivity,
  PendingJobsPage,
  RunnerSpec,
  RunningJobRef,
} from './port';
import { retryDelayMs } from './retry-after';

const jobSchema = z.looseObject({ id: z.int(), status: z.string(), tag_list: z.array(z.string()) });
const runnerSchema = z.looseObject({ id: z.int(), token: z.string().check(z.startsWith('glrt-')) });
/** Cancel and retry answer 201 with the job (retry: the new job). */
const jobRefSchema = z.looseObject({ id: z.int(), status: z.string() });
/**
 * One job of `GET /projects/:id/jobs` (the Jobs API's job object). `pipeline` is absent on some
 * older GitLab versions' payloads and `queued_duration` is null until the job is queued.
 */
const listedJobSchema = z.looseObject({
  id: z.int().check(z.positive()),
  name: z.string(),
  status: z.string(),
  created_at: z.string(),
  queued_duration: z.optional(z.nullable(z.number())),
  pipeline: z.optional(z.nullable(z.looseObject({ id: z.int().check(z.positive()) }))),
});
const jobListSchema = z.array(listedJobSchema);
/** `GET /runners/:id/jobs`: an array of jobs, each with the project it belongs to. */
const runnerJobsSchema = z.array(
  z.looseObject({
    id: z.int().check(z.positive()),
    project: z.looseObject({ id: z.int().check(z.positive()) }),
  }),
);
/** GitLab's offset pagination header: the next page's number, empty on the last page. */
const nextPageSchema = z.string().check(z.regex(/^[1-9]\d*$/));
/** GitLab's error body: `{"message": "403 Forbidden - Job is not retryable"}`. */
const errorBodySchema = z.looseObject({ message: z.string() });

/** How the adapter reaches GitLab. */
export interface GitlabHttpOptions {
  /** Base URL of the instance, without `/api/v4`. */
  readonly baseUrl: string;
  /** The API token; a loader, so it can come from a TTL cache. Never logged. */
  readonly token: () => Promise<string>;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  /** Attempts per call, the first included. @default 3 */
  readonly maxAttempts?: number;
  /** Per-request timeout. @default 5000 */
  readonly timeoutMs?: number;
  /** Longest wait between attempts, whatever Retry-After says. @default 5000 */
  readonly maxDelayMs?: number;
}

const sleepFor = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The production {@link GitlabApi}: REST v4 over fetch. 429 and 5xx are retried (bounded) after
 * `Retry-After` or a jittered backoff; 401/403 fail at once as {@link GitlabAuthError}, because
 * retrying a bad token only burns GitLab's rate limit (except the retry endpoint's 403 "Job is not
 * retryable", a {@link GitlabJobNotRetryableError}).
 */
export function gitlabHttpApi(
  options: GitlabHttpOptions,
): GitlabApi & GitlabJobControl & GitlabJobListing & GitlabRunnerActivity {
  const send = requester(options);
  const call = async (method: string, path: string, form?: URLSearchParams): Promise<unknown> =>
    (await send(method, path, form)).body;
  return {
    async listPendingJobs(projectId, page): Promise<PendingJobsPage> {
      // 100 is the most GitLab returns per page; offset pagination is fine for the few pages a
      // pending queue has (GitLab caps offset pagination at 50,000 rows).
      const query = new URLSearchParams({ 'scope[]': 'pending', per_page: '100', page: String(page) });
      const { body, headers } = await send('GET', `/projects/${projectId}/jobs?${query}`);
      const jobs = jobListSchema.safeParse(body);
      if (!jobs.success) throw new GitlabResponseError('GitLab job list response has an unexpected shape');
      const next = nextPageSchema.safeParse(headers.get('x-next-page') ?? '');
      return {
        jobs: jobs.data.map((job) => ({
          id: job.id,
          projectId,
          name: job.name,
          status: job.status,
          createdAt: job.created_at,
          pipelineId: job.pipeline?.id ?? null,
          queuedDurationSeconds: job.queued_duration ?? null,
        })),
        nextPage: next.success ? Number(next.data) : undefined,
      };
    },
    async runningJob(runnerId): Promise<RunningJobRef | undefined> {
      // One job is enough to tell: `status=running` filters on the job's status (running,
      // success, failed or canceled are the values this endpoint takes).
      const query = new URLSearchParams({ status: 'running', per_page: '1' });
      let body: unknown;
      try {
        body = await call('GET', `/runners/${runnerId}/jobs?${query}`);
      } catch (error) {
        // A deleted runner runs nothing; its instance may go.
        if (error instanceof GitlabNotFoundError) return undefined;
        throw error;
      }
      const jobs = runnerJobsSchema.safeParse(body);
      if (!jobs.success) throw new GitlabResponseError('GitLab runner jobs response has an unexpected shape');
      const [job] = jobs.data;
      return job === undefined ? undefined : { id: job.id, projectId: job.project.id };
    },
    async getJob(projectId, jobId): Promise<GitlabJob> {
      const body = await call('GET', `/projects/${projectId}/jobs/${jobId}`);
      const job = jobSchema.safeParse(body);
      if (!job.success) throw new GitlabResponseError('GitLab job response has an unexpected shape');
      return { id: job.data.id, status: job.data.status, tagList: job.data.tag_list };
    },
    async createRunner(spec: RunnerSpec): Promise<CreatedRunner> {
      const body = await call('POST', '/user/runners', runnerForm(spec));
      const runner = runnerSchema.safeParse(body);
      if (!runner.success) throw new GitlabResponseError('GitLab runner response has an unexpected shape');
      return { id: runner.data.id, token: runner.data.token };
    },
    async deleteRunner(runnerId): Promise<void> {
      try {
        await call('DELETE', `/runners/${runnerId}`);
      } catch (error) {
        if (!(error instanceof GitlabNotFoundError)) throw error;
      }
    },
    async cancelJob(projectId, jobId): Promise<string> {
      // GitLab answers 201 with the job whatever its status: cancelling an ended job is a no-op.
      const body = await call('POST', `/projects/${projectId}/jobs/${jobId}/cancel`);
      const job = jobRefSchema.safeParse(body);
      if (!job.success) throw new GitlabResponseError('GitLab cancel response has an unexpected shape');
      return job.data.status;
    },
    async retryJob(projectId, jobId): Promise<number> {
      const body = await call('POST', `/projects/${projectId}/jobs/${jobId}/retry`);
      const job = jobRefSchema.safeParse(body);
      if (!job.success) throw new GitlabResponseError('GitLab retry response has an unexpected shape');
      return job.data.id;
    },
  };
}

function runnerForm(spec: RunnerSpec): URLSearchParams {
  const form = new URLSearchParams({
    runner_type: `${spec.scope.type}_type`,
    description: spec.description,
    tag_list: spec.tags.join(','),
    run_untagged: String(spec.runUntagged),
    // A locked runner cannot be enabled for other projects: it serves the scope it was made for.
    locked: 'true',
    maximum_timeout: String(spec.maximumTimeoutSeconds),
    maintenance_note: 'Ephemeral Spotlab runner: deleted with its instance.',
  });
  if (spec.scope.type === 'project') form.set('project_id', String(spec.projectId));
  if (spec.scope.type === 'group') form.set('group_id', String(spec.scope.groupId));
  return form;
}

function requester(options: GitlabHttpOptions) {
  const sleep = options.sleep ?? sleepFor;
  const random = options.random ?? Math.random;
  const maxAttempts = options.maxAttempts ?? 3;
  const api = `${options.baseUrl.replace(/\/+$/, '')}/api/v4`;
  return async (
    method: string,
    path: string,
    form?: URLSearchParams,
  ): Promise<{ body: unknown; headers: Headers }> => {
    const token = await options.token();
    for (let attempt = 0; ; attempt += 1) {
      let response: Response;
      try {
        // Looked up per call, not at creation: tests and the runtime may swap the global.
        response = await (options.fetch ?? globalThis.fetch)(`${api}${path}`, {
          method,
          headers: { 'PRIVATE-TOKEN': token, accept: 'application/json' },
          body: form,
          signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
        });
      } catch (error) {
        if (attempt + 1 >= maxAttempts)
          throw new GitlabUnavailableError(`GitLab ${method} failed: network`, { cause: error });
        await sleep(retryDelayMs(null, attempt, Date.now(), random, options.maxDelayMs ?? 5_000));
        continue;
      }
      if (response.ok)
        return {
          body: response.status === 204 ? undefined : await readJson(response, method),
          headers: response.headers,
        };
      const route = path.replace(/\?.*$/, '').replace(/\d+/g, ':id');
      // The retry endpoint answers 403 "Job is not retryable" for a job retried already: a refusal
      // about the job, not about the token, so it must not read as an auth failure.
      if (response.status === 403 && /not retryable/i.test(await errorMessage(response)))
        throw new GitlabJobNotRetryableError(`GitLab ${method} ${route}: job is not retryable`);
      if (response.status === 401 || response.status === 403) throw new GitlabAuthError(response.status);
      if (response.status === 404) throw new GitlabNotFoundError(`GitLab ${method} ${route}: not found`);
      const retryable = response.status === 429 || response.status >= 500;
      if (!retryable) throw new GitlabResponseError(`GitLab ${method} answered HTTP ${response.status}`);
      if (attempt + 1 >= maxAttempts)
        throw new GitlabUnavailableError(`GitLab ${method} answered HTTP ${response.status}`);
      await sleep(
        retryDelayMs(
          response.headers.get('retry-after'),
          attempt,
          Date.now(),
          random,
          options.maxDelayMs ?? 5_000,
        ),
      );
    }
  };
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
async function readJson(response: Response, method: string): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    throw new GitlabResponseError(`GitLab ${method} answered 200 with a body that is not JSON`);
  }
}
