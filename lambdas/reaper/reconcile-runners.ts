import type { ListedRunner } from '../shared/gitlab/port';
import type { JobItem } from '../shared/job-table/views';
import { mapLimit } from '../shared/map-limit';
import {
  judgeUnrecorded,
  staleProbes,
  type UnrecordedRunner,
  unrecordedRunners,
} from './decide-unrecorded-runners';
import type { SweepDeps, SweepRun } from './sweep-context';

/** Calls in flight while deleting: far below GitLab's per-second limits. */
const CONCURRENCY = 4;

/** What one reconciliation did. */
export interface RunnerReconciliation {
  readonly deleted: number;
  readonly pagesRead: number;
}

/**
 * Deletes the GitLab runners Spotlab registered that no job item names and whose instance EC2
 * shows gone: the ones a failed cleanup left behind (a scale-up rollback whose delete GitLab
 * refused with 429/5xx), which the job-table-driven steps cannot see and which count against
 * GitLab's runner quota. Runs every sweep: it costs at most `maxPagesPerSweep` GitLab calls (on
 * GitLab.com an authenticated user has about 2,000 a minute) and, when there are candidates, one
 * DescribeInstances call; a runner so left goes within a minute or two of its instance.
 */
export async function reconcileRunners(
  jobs: readonly JobItem[],
  nowMs: number,
  deps: SweepDeps,
  run: SweepRun,
): Promise<RunnerReconciliation> {
  const { listed, pagesRead } = await listRunners(deps, run);
  const doomed = [...staleProbes(listed, nowMs), ...(await goneUnrecorded(listed, jobs, nowMs, deps, run))];
  const deleted = await mapLimit(doomed, CONCURRENCY, async (runnerId) => {
    if (!run.gitlabUsable) return false;
    const done = await run.attempt('runner', runnerId, () => deps.gitlab.deleteRunner(runnerId));
    if (done !== undefined) deps.observer.reaped('runner_unrecorded', runnerId);
    return done !== undefined;
  });
  return { deleted: deleted.filter(Boolean).length, pagesRead };
}

/** The unrecorded runners (see {@link unrecordedRunners}) whose instance EC2 shows gone. */
async function goneUnrecorded(
  listed: readonly ListedRunner[],
  jobs: readonly JobItem[],
  nowMs: number,
  deps: SweepDeps,
  run: SweepRun,
): Promise<number[]> {
  const candidates = unrecordedRunners(listed, jobs);
  if (candidates.length === 0) return [];
  const states = await instanceStates(candidates, deps, run);
  if (states === undefined) return [];
  return candidates
    .filter((runner) => judgeUnrecorded(runner, states.get(runner.instanceId), nowMs) === 'delete')
    .map((runner) => runner.runnerId);
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

/** EC2's states of the candidates' instances, or `undefined` when the lookup failed: judge nothing. */
async function instanceStates(
  candidates: readonly UnrecordedRunner[],
  deps: SweepDeps,
  run: SweepRun,
): Promise<ReadonlyMap<string, string> | undefined> {
  const ids = [...new Set(candidates.map((c) => c.instanceId))];
  // After a failure every id would read as unknown to EC2, which may mean gone: nothing is judged.
  const answer = await run.attempt('instance_states', ids.length, () => deps.fleet.states(ids));
  return answer?.value;
}
