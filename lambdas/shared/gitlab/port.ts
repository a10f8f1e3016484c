import type { RunnerScope } from '../runner-scope';

/** The fields of `GET /projects/:id/jobs/:job_id` Spotlab reads. */
export interface GitlabJob {
  readonly id: number;
  readonly status: string;
  readonly tagList: readonly string[];
}

/** What `POST /user/runners` is asked to create. */
export interface RunnerSpec {
  readonly scope: RunnerScope;
  /** The project of the job that asked for capacity; used when the scope is `project`. */
  readonly projectId: number;
  readonly tags: readonly string[];
  readonly runUntagged: boolean;
  readonly maximumTimeoutSeconds: number;
  /**
   * Names the job the runner was created for, `spotlab job <jobId>` (see {@link runnerDescription}):
   * the runner exists before its instance does, so the description cannot name the instance; the
   * job table ties job, runner and instance together.
   */
  readonly description: string;
}

/** The description of the runner Spotlab creates for job `jobId`: how a human traces it. */
export function runnerDescription(jobId: number): string {
  return `spotlab job ${jobId}`;
}

const SPOTLAB_RUNNER = /^spotlab job ([1-9][0-9]{0,15})$/;

/**
 * The job a runner description names when it reads like Spotlab's (`spotlab job <id>`, see
 * {@link runnerDescription}); `undefined` for anyone else's runner, or none. Only a claim: whoever
 * registers a runner chooses its description, so what ties a runner to an instance is the job
 * table's launch record (job id → runner id → instance id), never this.
 */
export function launchJobOfRunner(description: string | null): number | undefined {
  const digits = SPOTLAB_RUNNER.exec(description ?? '')?.[1];
  if (digits === undefined) return undefined;
  const jobId = Number(digits);
  return Number.isSafeInteger(jobId) ? jobId : undefined;
}

/** A runner GitLab created; the token is shown once and is a secret. */
export interface CreatedRunner {
  readonly id: number;
  readonly token: string;
}

/** The GitLab REST calls Spotlab makes. One HTTP adapter, one in-memory adapter. */
export interface GitlabApi {
  getJob(projectId: number, jobId: number): Promise<GitlabJob>;
  createRunner(spec: RunnerSpec): Promise<CreatedRunner>;
  /** Deleting a runner that is already gone succeeds: cleanup is idempotent. */
  deleteRunner(runnerId: number): Promise<void>;
}

/** The fields of `GET /projects/:id` Spotlab reads: where the project lives. */
export interface GitlabProject {
  readonly id: number;
  /** `acme/platform/app`: the namespace's full path and the project's path. */
  readonly pathWithNamespace: string;
  /** `acme/platform`: the group (or user) namespace the project belongs to. */
  readonly namespaceFullPath: string;
}

/** The fields of `GET /groups/:id` Spotlab reads. */
export interface GitlabGroup {
  readonly id: number;
  /** `acme` or `acme/platform` for a subgroup. */
  readonly fullPath: string;
}

/**
 * Where projects and groups live, for the allow-lists and the group runner scope. Kept apart from
 * {@link GitlabApi}: only scale-up's admission reads it, and only when a check needs it.
 */
export interface GitlabNamespaces {
  getProject(projectId: number): Promise<GitlabProject>;
  getGroup(groupId: number): Promise<GitlabGroup>;
}

/**
 * The job calls that re-run a job whose spot instance was reclaimed. GitLab retries only a job that
 * has ended (success, failed, canceled, or canceling on current GitLab), so a running job is
 * cancelled first; the retry is a new job with its own id and its own `pending` event. Kept apart
 * from {@link GitlabApi} because only the lifecycle consumer makes these calls.
 */
export interface GitlabJobControl {
  /**
   * `POST /projects/:id/jobs/:job_id/cancel`. Cancelling a job that already ended changes nothing.
   * @returns the job's status after the call: `canceled` (or `canceling`, while a runner that
   * cancels gracefully winds down) for a job that was running, else the status it ended with.
   */
  cancelJob(projectId: number, jobId: number): Promise<string>;
  /**
   * `POST /projects/:id/jobs/:job_id/retry`.
   * @returns the id of the new job.
   * @throws GitlabJobNotRetryableError when GitLab refuses: retried already, or not ended.
   */
  retryJob(projectId: number, jobId: number): Promise<number>;
}

/** A pending job as `GET /projects/:id/jobs?scope[]=pending` lists it. */
export interface PendingJob {
  readonly id: number;
  readonly projectId: number;
  readonly name: string;
  /** `pending` when listed; GitLab may move it on between the listing and its use. */
  readonly status: string;
  /** ISO 8601, when GitLab created the job. */
  readonly createdAt: string;
  readonly pipelineId: number | null;
  readonly queuedDurationSeconds: number | null;
}

/** One page of pending jobs and the number of the next (from `x-next-page`), if any. */
export interface PendingJobsPage {
  readonly jobs: readonly PendingJob[];
  readonly nextPage: number | undefined;
}

/** The listing the reaper polls to recover demand whose webhook GitLab dropped. */
export interface GitlabJobListing {
  /** One page (100 jobs) of the project's pending jobs, `page` counting from 1. */
  listPendingJobs(projectId: number, page: number): Promise<PendingJobsPage>;
}

/** A runner as `GET /runners` (or `/runners/all`) lists it. */
export interface ListedRunner {
  readonly id: number;
  /** `''` when GitLab has none. */
  readonly description: string;
  /** GitLab heard from the runner lately (within about 2 hours). */
  readonly online: boolean;
  /** `online`, `offline`, `stale` or `never_contacted`; absent where GitLab dropped the field. */
  readonly status: string | undefined;
  readonly paused: boolean;
  /** When the runner was created; only recent GitLab lists `created_at`, older leaves it out. */
  readonly createdAtMs: number | undefined;
}

/** One page of runners and the number of the next (from `x-next-page`), if any. */
export interface RunnersPage {
  readonly runners: readonly ListedRunner[];
  readonly nextPage: number | undefined;
}

/** The runner listing the reaper reconciles against the job table and EC2. */
export interface GitlabRunnerListing {
  /**
   * One page (100 runners), `page` counting from 1, of the runners of `scope`'s type the token
   * sees: `GET /runners?type=<scope>_type`, or `GET /runners/all?type=instance_type` for instance
   * runners (an administrator's token only). The REST API cannot filter on the description.
   */
  listRunners(scope: RunnerScope, page: number): Promise<RunnersPage>;
}

/** The job a runner took, as GitLab reports it. */
export interface RunnerJobRef {
  readonly id: number;
  readonly projectId: number;
  /** `running`, `success`, `failed` or `canceled`. */
  readonly status: string;
}

/**
 * What Spotlab asks GitLab about one of its runners: the reaper before it terminates the runner's
 * idle instance, the lifecycle consumer when a spot warning names an instance whose job's
 * `running` webhook never came.
 */
export interface GitlabRunnerActivity {
  /**
   * `GET /runners/:id/jobs?order_by=id&sort=desc&per_page=1`: the last job the runner took, in
   * whatever status. A Spotlab runner takes one job (`run-single --max-builds 1`), so this is the
   * job, running, or failed by GitLab once the runner vanished. A runner GitLab no longer knows
   * (404) took none that can be told. Needs a token that sees the runner (`manage_runner` or `api`).
   */
  latestJob(runnerId: number): Promise<RunnerJobRef | undefined>;
}
