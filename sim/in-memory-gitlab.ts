import {
  GitlabAuthError,
  GitlabJobNotRetryableError,
  GitlabNotFoundError,
  GitlabUnavailableError,
} from '../lambdas/shared/gitlab/errors';
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
  PendingJobsPage,
  RunnerJobRef,
  RunnerSpec,
  RunnersPage,
} from '../lambdas/shared/gitlab/port';
import type { RunnerScope } from '../lambdas/shared/runner-scope';

/** A job as the simulated GitLab keeps it. */
export interface SimJob {
  readonly id: number;
  readonly projectId: number;
  status: string;
  readonly tagList: readonly string[];
  /** The job a retry of this one created; GitLab retries a job once. */
  retriedAs?: number;
  /** When the job was created, in epoch milliseconds. */
  readonly createdAtMs: number;
  /** The runner that picked the job up. */
  runnerId?: number;
}

const FIRST_RUNNER_ID = 9000;

/** GitLab's page size for the job listing the reaper asks for (`per_page=100`). */
const PAGE_SIZE = 100;

/** A runner as the simulated GitLab keeps it. */
export type SimRunner = RunnerSpec & {
  readonly id: number;
  readonly token: string;
  /** When it was created, in epoch milliseconds (GitLab's `created_at`). */
  readonly createdAtMs: number;
};

// GitLab's Processable#retryable?: an ended job (or one still canceling) that was not retried yet.
const RETRYABLE = new Set(['success', 'failed', 'canceled', 'canceling']);
const ENDED = new Set(['success', 'failed', 'canceled', 'skipped']);

/** A fault the next calls answer with: HTTP status as the HTTP adapter would have turned it into an error. */
export type GitlabFault = 401 | 403 | 429 | 500 | 502 | 503;

/**
 * The in-memory {@link GitlabApi} and {@link GitlabJobControl}: jobs, runners, call counts, and
 * injectable faults. Faults are thrown as the typed errors the HTTP adapter produces after its
 * retries.
 */
export class InMemoryGitlab
  implements
    GitlabApi,
    GitlabJobControl,
    GitlabJobListing,
    GitlabNamespaces,
    GitlabRunnerActivity,
    GitlabRunnerListing
{
  readonly jobs = new Map<number, SimJob>();
  readonly runners = new Map<number, SimRunner>();
  /** Projects by id: their `path_with_namespace`. A project not added here is unknown (404). */
  readonly projects = new Map<number, string>();
  /** Groups by id: their full path. */
  readonly groups = new Map<number, string>();
  /** Runner registrations refused (403) per project id, as for a token without access there. */
  readonly refusesRunnersFor = new Set<number>();
  /** Runners per page of {@link listRunners}: GitLab's for `per_page=100`; tests make it small. */
  runnerPageSize = PAGE_SIZE;
  readonly calls = {
    getJob: 0,
    createRunner: 0,
    deleteRunner: 0,
    cancelJob: 0,
    retryJob: 0,
    listPendingJobs: 0,
    latestJob: 0,
    listRunners: 0,
    getProject: 0,
    getGroup: 0,
  };
  private readonly faults: GitlabFault[] = [];
  private nextRunnerId = FIRST_RUNNER_ID;
  private highestJobId = 0;
  // Indexes kept as jobs and runners change, so each call costs what is live (pending and running
  // jobs, registered runners), not every job the run ever created.
  private readonly unended = new Set<number>();
  private readonly lastJobOf = new Map<number, number>();
  private readonly runnerOfToken = new Map<string, number>();

  /** @param now the clock that stamps each job's `created_at`. */
  constructor(private readonly now: () => number = Date.now) {}

  /** Makes the next calls fail, one fault per call, in order. */
  failNext(...faults: GitlabFault[]): void {
    this.faults.push(...faults);
  }

  /** Adds a job; it starts `pending`. */
  addJob(id: number, projectId: number, tagList: readonly string[] = [], status = 'pending'): SimJob {
    let current = status;
    const unended = this.unended;
    const job: SimJob = { id, projectId, status, tagList, createdAtMs: this.now() };
    // `status` is set from outside (the simulated GitLab's own transitions): track who has not ended.
    Object.defineProperty(job, 'status', {
      enumerable: true,
      get: () => current,
      set: (next: string) => {
        current = next;
        if (ENDED.has(next)) unended.delete(id);
        else unended.add(id);
      },
    });
    job.status = status;
    this.jobs.set(id, job);
    this.highestJobId = Math.max(this.highestJobId, id);
    return job;
  }

  /** Runner `runnerId` picked job `jobId` up: the job is running on it. */
  pickUp(jobId: number, runnerId: number): void {
    const job = this.jobs.get(jobId);
    if (job === undefined) return;
    job.status = 'running';
    job.runnerId = runnerId;
    this.lastJobOf.set(runnerId, Math.max(jobId, this.lastJobOf.get(runnerId) ?? jobId));
  }

  /** The registered runner whose token is `token`, if any. */
  runnerWithToken(token: string): SimRunner | undefined {
    const id = this.runnerOfToken.get(token);
    const runner = id === undefined ? undefined : this.runners.get(id);
    return runner?.token === token ? runner : undefined;
  }

  /** The jobs not ended yet, by id. */
  private unendedJobs(): SimJob[] {
    const jobs: SimJob[] = [];
    for (const id of this.unended) {
      const job = this.jobs.get(id);
      if (job !== undefined) jobs.push(job);
    }
    return jobs;
  }

  get totalCalls(): number {
    return Object.values(this.calls).reduce((sum, calls) => sum + calls, 0);
  }

  async getJob(projectId: number, jobId: number): Promise<GitlabJob> {
    this.calls.getJob += 1;
    this.maybeFail();
    const job = this.find(projectId, jobId);
    return { id: job.id, status: job.status, tagList: job.tagList };
  }

  /** Adds a project at `pathWithNamespace` (`acme/platform/app`). */
  addProject(id: number, pathWithNamespace: string): void {
    this.projects.set(id, pathWithNamespace);
  }

  /** Adds a group at `fullPath` (`acme` or `acme/platform`). */
  addGroup(id: number, fullPath: string): void {
    this.groups.set(id, fullPath);
  }

  async getProject(projectId: number): Promise<GitlabProject> {
    this.calls.getProject += 1;
    this.maybeFail();
    const path = this.projects.get(projectId);
    if (path === undefined) throw new GitlabNotFoundError(`project ${projectId} not found`);
    return {
      id: projectId,
      pathWithNamespace: path,
      namespaceFullPath: path.split('/').slice(0, -1).join('/'),
    };
  }

  async getGroup(groupId: number): Promise<GitlabGroup> {
    this.calls.getGroup += 1;
    this.maybeFail();
    const fullPath = this.groups.get(groupId);
    if (fullPath === undefined) throw new GitlabNotFoundError(`group ${groupId} not found`);
    return { id: groupId, fullPath };
  }

  async createRunner(spec: RunnerSpec): Promise<CreatedRunner> {
    this.calls.createRunner += 1;
    this.maybeFail();
    if (spec.scope.type === 'project' && this.refusesRunnersFor.has(spec.projectId))
      throw new GitlabAuthError(403);
    const id = this.nextRunnerId++;
    const token = `glrt-sim${id.toString(36)}${'x'.repeat(12)}`;
    this.runners.set(id, Object.assign({}, spec, { id, token, createdAtMs: this.now() }));
    this.runnerOfToken.set(token, id);
    return { id, token };
  }

  /** Runners created so far (registrations GitLab accepted). */
  get runnersCreated(): number {
    return this.nextRunnerId - FIRST_RUNNER_ID;
  }

  async deleteRunner(runnerId: number): Promise<void> {
    this.calls.deleteRunner += 1;
    this.maybeFail();
    this.runners.delete(runnerId);
  }

  async cancelJob(projectId: number, jobId: number): Promise<string> {
    this.calls.cancelJob += 1;
    this.maybeFail();
    const job = this.find(projectId, jobId);
    if (!ENDED.has(job.status)) job.status = 'canceled';
    return job.status;
  }

  async retryJob(projectId: number, jobId: number): Promise<number> {
    this.calls.retryJob += 1;
    this.maybeFail();
    const job = this.find(projectId, jobId);
    if (!RETRYABLE.has(job.status) || job.retriedAs !== undefined)
      throw new GitlabJobNotRetryableError(`job ${jobId} is not retryable`);
    // GitLab gives the retry the next job id of the instance.
    const id = this.highestJobId + 1;
    this.addJob(id, projectId, job.tagList);
    job.retriedAs = id;
    return id;
  }

  async listPendingJobs(projectId: number, page: number): Promise<PendingJobsPage> {
    this.calls.listPendingJobs += 1;
    this.maybeFail();
    // GitLab lists jobs newest first (by id, descending).
    const pending = this.unendedJobs()
      .filter((job) => job.projectId === projectId && job.status === 'pending')
      .sort((a, b) => b.id - a.id);
    const slice = pending.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
    return {
      jobs: slice.map((job) => ({
        id: job.id,
        projectId,
        name: `job-${job.id}`,
        status: job.status,
        createdAt: new Date(job.createdAtMs).toISOString(),
        pipelineId: null,
        queuedDurationSeconds: null,
      })),
      nextPage: page * PAGE_SIZE < pending.length ? page + 1 : undefined,
    };
  }

  async listRunners(scope: RunnerScope, page: number): Promise<RunnersPage> {
    this.calls.listRunners += 1;
    this.maybeFail();
    // Oldest first, as GitLab's unordered listing tends to come; the type filter is GitLab's.
    const ofType = [...this.runners.values()]
      .filter((runner) => runner.scope.type === scope.type)
      .sort((a, b) => a.id - b.id);
    const size = this.runnerPageSize;
    const running = new Set(this.unendedJobs().flatMap((j) => (j.status === 'running' ? [j.runnerId] : [])));
    return {
      runners: ofType.slice((page - 1) * size, page * size).map((runner) => ({
        id: runner.id,
        description: runner.description,
        // The simulation keeps no contact times: a runner running a job is one GitLab hears from.
        online: running.has(runner.id),
        status: running.has(runner.id) ? 'online' : 'offline',
        paused: false,
        createdAtMs: runner.createdAtMs,
      })),
      nextPage: page * size < ofType.length ? page + 1 : undefined,
    };
  }

  async latestJob(runnerId: number): Promise<RunnerJobRef | undefined> {
    this.calls.latestJob += 1;
    this.maybeFail();
    // GitLab answers 404 for a deleted runner, which the HTTP adapter reads as no job.
    if (!this.runners.has(runnerId)) return undefined;
    const last = this.lastJobOf.get(runnerId);
    let job = last === undefined ? undefined : this.jobs.get(last);
    // Its latest job went to another runner since (picked up again): walk them all, as GitLab would.
    if (job !== undefined && job.runnerId !== runnerId) {
      const taken = [...this.jobs.values()].filter((j) => j.runnerId === runnerId);
      job = taken.reduce<SimJob | undefined>((l, j) => (l === undefined || j.id > l.id ? j : l), undefined);
    }
    return job === undefined ? undefined : { id: job.id, projectId: job.projectId, status: job.status };
  }

  private find(projectId: number, jobId: number): SimJob {
    const job = this.jobs.get(jobId);
    if (job === undefined || job.projectId !== projectId)
      throw new GitlabNotFoundError(`job ${jobId} not found`);
    return job;
  }

  private maybeFail(): void {
    const fault = this.faults.shift();
    if (fault === undefined) return;
    if (fault === 401 || fault === 403) throw new GitlabAuthError(fault);
    throw new GitlabUnavailableError(`GitLab answered HTTP ${fault}`);
  }
}
