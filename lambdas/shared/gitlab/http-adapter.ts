import * as z from 'zod/mini';
import type { RunnerScope } from '../runner-scope';
import { GitlabNotFoundError, GitlabResponseError } from './errors';
import type {
  CreatedRunner,
  GitlabApi,
  GitlabGroup,
  GitlabJob,
  GitlabJobControl,
  GitlabJobListing,
  GitlabNamespaces,
  GitlabProject,
  GitlabRunnerActivity,
  GitlabRunnerListing,
  ListedRunner,
  PendingJobsPage,
  RunnerJobRef,
  RunnerSpec,
  RunnersPage,
} from './port';
import { type GitlabHttpOptions, gitlabRequester, nextPageNumber } from './request';

const jobSchema = z.looseObject({ id: z.int(), status: z.string(), tag_list: z.array(z.string()) });
const runnerSchema = z.looseObject({ id: z.int(), token: z.string().check(z.startsWith('glrt-')) });
/** `GET /projects/:id`: the project entity; Spotlab reads where it lives. */
const projectSchema = z.looseObject({
  id: z.int().check(z.positive()),
  path_with_namespace: z.string().check(z.minLength(1)),
  namespace: z.looseObject({ full_path: z.string().check(z.minLength(1)) }),
});
/** `GET /groups/:id`: the group entity. */
const groupSchema = z.looseObject({
  id: z.int().check(z.positive()),
  full_path: z.string().check(z.minLength(1)),
});
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
    status: z.string(),
    project: z.looseObject({ id: z.int().check(z.positive()) }),
  }),
);

/**
 * `GET /runners` and `/runners/all`: the runner entity. `status` and `active` are deprecated for
 * removal in API v5, and only recent GitLab lists `created_at`: none of them is required.
 */
const runnerListSchema = z.array(
  z.looseObject({
    id: z.int().check(z.positive()),
    description: z.optional(z.nullable(z.string())),
    online: z.optional(z.nullable(z.boolean())),
    status: z.optional(z.string()),
    paused: z.optional(z.boolean()),
    created_at: z.optional(z.nullable(z.iso.datetime({ offset: true }))),
  }),
);

export type { GitlabHttpOptions } from './request';

/**
 * The path that lists the runners of `scope`'s type: instance runners only through
 * `/runners/all`, which needs an administrator's token; `/runners` lists the project and group
 * runners the token's user owns. Without page parameters.
 */
export function runnerListPath(scope: RunnerScope): string {
  return `${scope.type === 'instance' ? '/runners/all' : '/runners'}?type=${scope.type}_type`;
}

/**
 * A `GET /runners` page's body, parsed.
 * @throws GitlabResponseError when it is not a list of runners.
 */
export function parseRunnerList(body: unknown): ListedRunner[] {
  const listed = runnerListSchema.safeParse(body);
  if (!listed.success) throw new GitlabResponseError('GitLab runner list response has an unexpected shape');
  return listed.data.map((runner) => ({
    id: runner.id,
    description: runner.description ?? '',
    online: runner.online ?? runner.status === 'online',
    status: runner.status,
    paused: runner.paused ?? false,
    createdAtMs: runner.created_at == null ? undefined : Date.parse(runner.created_at),
  }));
}

/**
 * The production {@link GitlabApi}: REST v4 through {@link gitlabRequester}, which retries 429, 5xx
 * and network failures (bounded) and maps every other failure to a typed GitLab error.
 */
export function gitlabHttpApi(
  options: GitlabHttpOptions,
): GitlabApi &
  GitlabJobControl &
  GitlabJobListing &
  GitlabNamespaces &
  GitlabRunnerActivity &
  GitlabRunnerListing {
  const send = gitlabRequester(options);
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
        nextPage: nextPageNumber(headers),
      };
    },
    async listRunners(scope, page): Promise<RunnersPage> {
      const { body, headers } = await send('GET', `${runnerListPath(scope)}&per_page=100&page=${page}`);
      return { runners: parseRunnerList(body), nextPage: nextPageNumber(headers) };
    },
    async latestJob(runnerId): Promise<RunnerJobRef | undefined> {
      // Newest first, one job: a Spotlab runner takes only one.
      const query = new URLSearchParams({ order_by: 'id', sort: 'desc', per_page: '1' });
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
      return job === undefined ? undefined : { id: job.id, projectId: job.project.id, status: job.status };
    },
    async getJob(projectId, jobId): Promise<GitlabJob> {
      const body = await call('GET', `/projects/${projectId}/jobs/${jobId}`);
      const job = jobSchema.safeParse(body);
      if (!job.success) throw new GitlabResponseError('GitLab job response has an unexpected shape');
      return { id: job.data.id, status: job.data.status, tagList: job.data.tag_list };
    },
    async getProject(projectId): Promise<GitlabProject> {
      const project = projectSchema.safeParse(await call('GET', `/projects/${projectId}`));
      if (!project.success) throw new GitlabResponseError('GitLab project response has an unexpected shape');
      return {
        id: project.data.id,
        pathWithNamespace: project.data.path_with_namespace,
        namespaceFullPath: project.data.namespace.full_path,
      };
    },
    async getGroup(groupId): Promise<GitlabGroup> {
      // Without with_projects=false an older GitLab lists the group's projects in the answer.
      const group = groupSchema.safeParse(await call('GET', `/groups/${groupId}?with_projects=false`));
      if (!group.success) throw new GitlabResponseError('GitLab group response has an unexpected shape');
      return { id: group.data.id, fullPath: group.data.full_path };
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
