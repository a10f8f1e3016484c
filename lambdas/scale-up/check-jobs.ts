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
  /** GitLab's answer it was routed by, carried along when the job has to wait. */
  readonly checked: { readonly at: string; readonly tagList: string[] };
}

/**
 * How long a carried GitLab answer stands in for a new read: GitLab's own limit for a pending job
 * with no runner (1 h). Within it, a job that started, ended or was cancelled has sent a Job Hook
 * and the job table refuses its claim; past it, GitLab may have failed the job, so ask again.
 */
export const CARRIED_ANSWER_TTL_MS = 60 * 60_000;

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
  readonly now: () => number;
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
      const job = await readJob(item.demand, deps);
      if (job.status !== 'pending') {
        await deps.ledger.recordSkip(jobId, `status_${job.status}`);
        return deps.observer.skipped(jobId, 'not_pending');
      }
      const route = routeJob(job.tagList, deps.pools, deps.shapeTags);
      if (route.kind === 'unroutable') {
        await deps.ledger.recordSkip(jobId, route.reason);
        return deps.observer.unroutable(jobId, route.reason);
      }
      routed.push({ ...item, route, checked: { at: job.at, tagList: [...job.tagList] } });
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

/**
 * The job as GitLab last told it: the answer a deferred message carries while it is fresh (a wait
 * for the launch rate must not cost one GitLab read per wait), else a new read.
 */
async function readJob(
  demand: Demand['demand'],
  deps: CheckDeps,
): Promise<{ status: string; tagList: readonly string[]; at: string }> {
  const carried = demand.checked;
  if (carried !== undefined && deps.now() - Date.parse(carried.at) < CARRIED_ANSWER_TTL_MS)
    return { status: 'pending', tagList: carried.tagList, at: carried.at };
  const job = await deps.gitlab.getJob(demand.projectId, demand.jobId);
  return { status: job.status, tagList: job.tagList, at: new Date(deps.now()).toISOString() };
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
