import { PermanentError, TransientError } from '../errors';

/** 401/403: the API token is wrong, expired or lacks a scope. A configuration error: alarm, do not hammer. */
export class GitlabAuthError extends PermanentError {
  override readonly name = 'GitlabAuthError';
  constructor(readonly status: number) {
    super(
      `GitLab refused the API token (HTTP ${status}); check its scopes (api, create_runner, manage_runner)`,
    );
  }
}

/** 404: the job or project is gone (deleted, or the token cannot see it). */
export class GitlabNotFoundError extends PermanentError {
  override readonly name = 'GitlabNotFoundError';
}

/** 429, 5xx or a network failure that outlasted the bounded retries. */
export class GitlabUnavailableError extends TransientError {
  override readonly name = 'GitlabUnavailableError';
}

/** GitLab answered, but not with the documented shape. */
export class GitlabResponseError extends PermanentError {
  override readonly name = 'GitlabResponseError';
}

/**
 * 403 "Job is not retryable" from `POST /projects/:id/jobs/:job_id/retry`: the job was retried
 * already (GitLab refuses a second retry of the same job) or is not in a retryable status. Not an
 * auth problem, and the same call will keep failing.
 */
export class GitlabJobNotRetryableError extends PermanentError {
  override readonly name = 'GitlabJobNotRetryableError';
}
