import { PermanentError } from '../shared/errors';
import { GitlabJobNotRetryableError, GitlabNotFoundError } from '../shared/gitlab/errors';
import type { JobRecord } from '../shared/job-table/record';
import { needsRetry } from './decide-interruption';
import { attempt, failure, type Outcome } from './outcome';
import type { LifecyclePorts } from './ports';

/**
 * Retries an interrupted job through GitLab, once its instance is gone. The decision is taken on a
 * consistent read, because the index the caller found the job by lags and the job may have ended
 * meanwhile. GitLab retries only a job that has ended, so a running one is cancelled first; the
 * retry is a new job whose own `pending` event brings new capacity. GitLab refuses a second retry
 * of the same job, which also settles two invocations racing on one instance.
 */
export async function retryInterrupted(jobId: number, deps: LifecyclePorts): Promise<Outcome> {
  let record: JobRecord | undefined;
  try {
    record = await deps.journal.get(jobId);
  } catch (error) {
    return failure('journal', jobId, error, deps.observer);
  }
  if (record === undefined || !needsRetry(record)) return 'done';
  const { projectId } = record;
  if (projectId === undefined)
    return failure('retry', jobId, new PermanentError('job item has no projectId'), deps.observer);
  let retriedJobId: number | undefined;
  try {
    if (record.state === 'running') {
      await deps.journal.markCancelledForRetry(jobId);
      const status = await deps.gitlab.cancelJob(projectId, jobId);
      // It succeeded before its instance went and its webhook is still on the way: nothing to redo.
      if (status === 'success') {
        deps.observer.ignored('job_succeeded', jobId);
        return 'done';
      }
    }
    retriedJobId = await deps.gitlab.retryJob(projectId, jobId);
  } catch (error) {
    // Retried already (GitLab's own `retry:` rule, a person, or an earlier attempt of ours whose
    // record was lost), or gone: recorded all the same, so it is not tried again.
    if (!(error instanceof GitlabJobNotRetryableError || error instanceof GitlabNotFoundError))
      return failure('retry', jobId, error, deps.observer);
  }
  return attempt(
    'journal',
    jobId,
    async () => {
      if (!(await deps.journal.markRetried(jobId, retriedJobId))) return;
      if (retriedJobId === undefined) deps.observer.retryRefused(jobId);
      else deps.observer.jobRetried(jobId, retriedJobId);
    },
    deps.observer,
  );
}
