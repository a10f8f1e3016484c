import type { ListedRunner } from '../shared/gitlab/port';
import type { JobItem } from '../shared/job-table/views';
import { mapLimit } from '../shared/map-limit';
import { judgeUnrecorded, unrecordedRunners } from './decide-unrecorded-runners';
import type { SweepDeps, SweepRun } from './sweep-context';

/** Calls in flight while deleting: far below GitLab's per-second limits. */
const CONCURRENCY = 4;

/** What one reconciliation did. */
export interface RunnerReconciliation {
  readonly deleted: number;
  readonly pagesRead: number;
}

/**
 * Deletes the GitLab runners Spotlab created that no open job item names (see
 * `judgeUnrecorded`): the ones a failed cleanup left behind (a scale-up rollback whose delete
 * GitLab refused with 429/5xx), which the job-table-driven steps cannot see and which count
 * against GitLab's runner quota. Runs every sweep: it costs at most `maxPagesPerSweep` GitLab
 * calls (on GitLab.com an authenticated user has about 2,000 a minute) and no EC2 call.
 */
export async function reconcileRunners(
  jobs: readonly JobItem[],
  nowMs: number,
  deps: SweepDeps,
  run: SweepRun,
): Promise<RunnerReconciliation> {
  const { listed, pagesRead } = await listRunners(deps, run);
  const doomed = unrecordedRunners(listed, jobs)
    .filter((runner) => judgeUnrecorded(runner, nowMs) === 'delete')
    .map((runner) => runner.runnerId);
  const deleted = await mapLimit(doomed, CONCURRENCY, async (runnerId) => {
    if (!run.gitlabUsable) return false;
    const done = await run.attempt('runner', runnerId, () => deps.gitlab.deleteRunner(runnerId));
    if (done !== undefined) deps.observer.reaped('runner_unrecorded', runnerId);
    return done !== undefined;
  });
  return { deleted: deleted.filter(Boolean).length, pagesRead };
}

/** Reads pages from the cursor on; a failed page is read first again next sweep. */
async function listRunners(
  deps: SweepDeps,
  run: SweepRun,
): Promise<{ listed: ListedRunner[]; pagesRead: number }> {
  const listed: ListedRunner[] = [];
  let pagesRead = 0;
  let page: number | undefined = deps.runnerPages.start;
  while (page !== undefined && pagesRead < deps.settings.maxPagesPerSweep && run.gitlabUsable) {
    const current: number = page;
    pagesRead += 1;
    const answer = await run.attempt('list_runners', current, () =>
      deps.gitlab.listRunners(deps.settings.runnerScope, current),
    );
    if (answer === undefined) break;
    listed.push(...answer.value.runners);
    page = answer.value.nextPage;
  }
  deps.runnerPages.resumeAt(page);
  return { listed, pagesRead };
}
