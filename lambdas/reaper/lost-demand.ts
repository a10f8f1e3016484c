import type { PendingJob } from '../shared/gitlab/port';
import type { JobState } from '../shared/job-table/states';
import type { JobItem } from '../shared/job-table/views';
import { mapLimit } from '../shared/map-limit';
import { decideRequeue, pendingToLookUp, projectsToPoll, toDemandMessage } from './decide-requeue';
import type { SweepDeps, SweepRun } from './sweep-context';

/**
 * Lists the pending jobs of the projects Spotlab serves, within the sweep's page budget (GitLab.com
 * allows an authenticated user about 2,000 API calls a minute, shared with scale-up and the
 * lifecycle consumer), and enqueues demand for those whose webhook was lost. Scale-up's claim
 * dedupes a job whose own `pending` event arrives as well.
 */
export async function requeueLostDemand(
  jobs: readonly JobItem[],
  lostNow: ReadonlySet<number>,
  nowMs: number,
  deps: SweepDeps,
  run: SweepRun,
): Promise<{ requeued: number; pagesRead: number }> {
  const { pending, pagesRead } = await listPending(jobs, nowMs, deps, run);
  const grace = deps.settings.pendingGraceSeconds;
  const unknown = pendingToLookUp(pending, jobs, nowMs, grace);
  // The open items do not say whether the others have an item at all: read those by key. Without
  // the answer every one of them would look lost: requeue nothing this sweep.
  const looked =
    unknown.length === 0
      ? { value: new Map<number, JobState>() }
      : await run.attempt('read_states', unknown.length, () => deps.table.statesOf(unknown));
  if (looked === undefined) return { requeued: 0, pagesRead };
  const known = [...jobs, ...[...looked.value].map(([jobId, state]) => ({ jobId, state }))];
  const chosen = decideRequeue(pending, known, lostNow, nowMs, grace);
  const sent = await mapLimit(chosen, 4, async (job) => {
    const done = await run.attempt('requeue', job.id, () => deps.queue.send(toDemandMessage(job, nowMs)));
    if (done !== undefined) deps.observer.demandRequeued(job.id, job.projectId);
    return done !== undefined;
  });
  return { requeued: sent.filter(Boolean).length, pagesRead };
}

async function listPending(
  jobs: readonly JobItem[],
  nowMs: number,
  deps: SweepDeps,
  run: SweepRun,
): Promise<{ pending: PendingJob[]; pagesRead: number }> {
  const pending: PendingJob[] = [];
  let pagesRead = 0;
  for (const projectId of projectsToPoll(jobs, deps.settings.projectIds, nowMs)) {
    let page: number | undefined = 1;
    while (page !== undefined && pagesRead < deps.settings.maxPagesPerSweep && run.gitlabUsable) {
      const current: number = page;
      pagesRead += 1;
      const listed = await run.attempt('list_pending', projectId, () =>
        deps.gitlab.listPendingJobs(projectId, current),
      );
      pending.push(...(listed?.value.jobs ?? []));
      page = listed?.value.nextPage;
    }
  }
  return { pending, pagesRead };
}
