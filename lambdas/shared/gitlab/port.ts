import type { RunnerScope } from '../../scale-up/settings';

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
  /** Names the instance, so a runner can always be traced to its VM: `spotlab i-…`. */
  readonly description: string;
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
