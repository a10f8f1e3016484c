import { GitlabAuthError, GitlabNotFoundError } from '../shared/gitlab/errors';
import type { GitlabApi } from '../shared/gitlab/port';
import type { DemandMessage } from '../shared/job-messages';
import type { JobLedger } from '../shared/job-table/views';
import { mapLimit } from '../shared/map-limit';
import type { ScaleUpObserver } from './observer';
import { type Route, routeJob, type ShapeTags } from './route-job';
import type { RuntimePool } from './runtime-pool';

/** A demand message and the SQS message that carried it. */
export interface Demand {
  readonly messageId: string;
  readonly demand: DemandMessage;
}

/** A claimed, still-pending job with the pool that will serve it. */
export interface RoutedDemand extends Demand {
  readonly route: Extract<Route, { kind: 'pool' }>;
}

/** What the check stage decided. */
export interface CheckOutcome {
  readonly routed: RoutedDemand[];
  /** Messages to retry: their claims were released. */
  readonly retry: string[];
}

/** What the check stage needs. */
export interface CheckDeps {
  readonly gitlab: GitlabApi;
  readonly ledger: JobLedger;
  readonly pools: readonly RuntimePool[];
  readonly shapeTags: ShapeTags;
  readonly observer: ScaleUpObserver;
  readonly concurrency: number;
}

/**
 * Claims each job in the job table (the exactly-once gate), reads it from GitLab (the Job Hook has
 * no tags, and the job may have started or ended since) and routes it. A bad API token stops the
 * batch: every job after it would fail the same way, and retrying them all is a retry storm.
 */
export async function checkJobs(demands: readonly Demand[], deps: CheckDeps): Promise<CheckOutcome> {
  const routed: RoutedDemand[] = [];
  const retry: string[] = [];
  let authFailed = false;
  await mapLimit(demands, deps.concurrency, async (item) => {
    const { jobId, projectId } = item.demand;
    if (authFailed) return void retry.push(item.messageId);
    let claimed: boolean;
    try {
      claimed = await deps.ledger.claim(jobId, projectId);
    } catch (error) {
      deps.observer.failed('check', jobId, error);
      return void retry.push(item.messageId);
    }
    if (!claimed) return deps.observer.skipped(jobId, 'already_claimed');
    try {
      const job = await deps.gitlab.getJob(projectId, jobId);
      if (job.status !== 'pending') {
        await deps.ledger.recordSkip(jobId, `status_${job.status}`);
        return deps.observer.skipped(jobId, 'not_pending');
      }
      const route = routeJob(job.tagList, deps.pools, deps.shapeTags);
      if (route.kind === 'unroutable') {
        await deps.ledger.recordSkip(jobId, route.reason);
        return deps.observer.unroutable(jobId, route.reason);
      }
      routed.push({ ...item, route });
    } catch (error) {
      if (error instanceof GitlabNotFoundError && (await skipQuietly(deps.ledger, jobId))) {
        return deps.observer.skipped(jobId, 'job_not_found');
      }
      if (error instanceof GitlabAuthError && !authFailed) {
        authFailed = true;
        deps.observer.gitlabAuthFailure(error.status);
      }
      deps.observer.failed('check', jobId, error);
      await deps.ledger.release(jobId);
      retry.push(item.messageId);
    }
  });
  return { routed, retry };
}

/** Records a skip; false (the claim stays, for release) when the table refused the write. */
async function skipQuietly(ledger: JobLedger, jobId: number): Promise<boolean> {
  try {
    await ledger.recordSkip(jobId, 'job_not_found');
    return true;
  } catch {
    return false;
  }
}
