import { GitlabAuthError } from '../shared/gitlab/errors';
import type { JobItem } from '../shared/job-table/views';
import { mapLimit } from '../shared/map-limit';
import { estimatedSpendPerHour } from '../shared/prices';
import {
  type Cleanup,
  decideReaping,
  idleRunnerIds,
  type ReapingPlan,
  type RunnerActivity,
} from './decide-reaping';
import { keepWarm, type WarmView } from './keep-warm';
import { requeueLostDemand } from './lost-demand';
import type { SweepSummary } from './observer';
import type { ReaperInstance, TokenParameter } from './ports';
import { reconcileRunners } from './reconcile-runners';
import { type SweepDeps, SweepRun } from './sweep-context';

/** Calls in flight per step: a sweep stays far below GitLab's and SSM's per-second limits. */
const CONCURRENCY = 4;

/**
 * One reaper sweep: reconcile EC2, the job table's open items (`needsReaper`: its reads grow with
 * what is alive, not with the table's history) and the token parameters; terminate instances
 * that never took their token, idled (and GitLab does not call their runner busy) or outlived
 * their pool; delete runners and tokens whose
 * instance is gone and mark their items; then enqueue demand GitLab's dropped webhooks lost, and
 * delete the runners GitLab lists that no item names and whose instance is gone.
 * Every write is idempotent or conditional, so two sweeps at once do no harm; no step's failure
 * stops the others.
 */
export async function sweep(deps: SweepDeps): Promise<SweepSummary> {
  const run = new SweepRun(deps.observer);
  const nowMs = deps.now();
  const [instances, jobs, tokens] = await Promise.all([
    run.attempt('describe', undefined, () => deps.fleet.live()),
    run.attempt('scan', undefined, () => deps.table.open()),
    run.attempt('list_tokens', undefined, () => deps.tokens.list()),
  ]);
  if (instances !== undefined) reportFleet(instances.value, deps);
  const warm =
    instances === undefined || deps.warm === undefined
      ? undefined
      : await keepWarm(instances.value, nowMs, deps.warm, run);
  // Without EC2's or the table's view every instance would look orphaned or idle: reap nothing.
  const counts =
    instances === undefined || jobs === undefined
      ? { terminated: 0, runnersDeleted: 0, tokensDeleted: 0, lost: new Set<number>() }
      : await reap(reapable(instances.value, warm), jobs.value, tokens?.value ?? [], nowMs, deps, run);
  // Without the table every Spotlab runner would look unrecorded, and no demand could be judged.
  const [demand, unrecorded] =
    jobs === undefined
      ? [
          { requeued: 0, pagesRead: 0 },
          { deleted: 0, pagesRead: 0 },
        ]
      : await Promise.all([
          requeueLostDemand(jobs.value, counts.lost, nowMs, deps, run),
          reconcileRunners(jobs.value, nowMs, deps, run),
        ]);
  const summary: SweepSummary = {
    terminated: counts.terminated,
    runnersDeleted: counts.runnersDeleted + unrecorded.deleted,
    tokensDeleted: counts.tokensDeleted,
    jobsLost: counts.lost.size,
    requeued: demand.requeued,
    pagesRead: demand.pagesRead,
    unrecordedRunnersDeleted: unrecorded.deleted,
    runnerPagesRead: unrecorded.pagesRead,
    failures: run.failures,
  };
  deps.observer.swept(summary);
  return summary;
}

/**
 * The instances the reaping rules apply to: ready ones wait for a job by design, and a claimed
 * one's idle and lifetime bounds count from its claim, when it got its job, not from its boot.
 */
function reapable(
  instances: readonly ReaperInstance[],
  warm: WarmView | undefined,
): readonly ReaperInstance[] {
  if (warm === undefined) return instances;
  return instances
    .filter((instance) => !warm.exempt.has(instance.instanceId))
    .map((instance) => {
      const claimedAt = warm.claimedAtMs.get(instance.instanceId);
      return claimedAt === undefined
        ? instance
        : { ...instance, launchedAtMs: Math.max(claimedAt, instance.launchedAtMs) };
    });
}

async function reap(
  instances: readonly ReaperInstance[],
  jobs: readonly JobItem[],
  tokens: readonly TokenParameter[],
  nowMs: number,
  deps: SweepDeps,
  run: SweepRun,
) {
  const seen = { instances, jobs, tokens, nowMs };
  const runners = await askRunners(idleRunnerIds(seen, deps.settings), deps, run);
  // Object.assign, not `{ ...seen, runners }`: V8 (Node 20) takes a slow path for a key after a spread.
  const plan = decideReaping(Object.assign({}, seen, { runners }), deps.settings);
  for (const s of plan.spared) deps.observer.spared(s.reason, s.instanceId);
  const terminated = await terminate(plan, deps, run);
  // An instance whose termination failed is still alive: its runner and token stay with it.
  const stillAlive = new Set(plan.terminate.map((t) => t.instanceId).filter((id) => !terminated.has(id)));
  const cleanups = plan.cleanups.filter((c) => !stillAlive.has(c.instanceId));
  const tokenIds = plan.tokens.filter((id) => !stillAlive.has(id));
  const [deletedRunners, tokensDeleted] = await Promise.all([
    deleteRunners(cleanups, jobs, deps, run),
    deleteTokens(tokenIds, deps, run),
  ]);
  const lost = await markItems(cleanups, deletedRunners, deps, run);
  await mapLimit(plan.launchesGone, CONCURRENCY, (gone) =>
    run.attempt('mark', gone.jobId, () => deps.table.markLaunchGone(gone.jobId, gone.instanceId)),
  );
  return { terminated: terminated.size, runnersDeleted: deletedRunners.size, tokensDeleted, lost };
}

/**
 * Asks GitLab, once per idle candidate, whether its runner is running a job: the job table misses
 * a job whose `running` webhook was dropped or is late. A refused token leaves the runner out
 * (the table decides, as with no runner known); any other failure answers `unknown`.
 */
async function askRunners(
  runnerIds: readonly number[],
  deps: SweepDeps,
  run: SweepRun,
): Promise<Map<number, RunnerActivity>> {
  const answers = new Map<number, RunnerActivity>();
  await mapLimit(runnerIds, CONCURRENCY, async (runnerId) => {
    if (!run.gitlabUsable) return;
    let refused = false;
    const done = await run.attempt('runner_busy', runnerId, async () => {
      try {
        return (await deps.gitlab.latestJob(runnerId))?.status === 'running';
      } catch (error) {
        refused = error instanceof GitlabAuthError;
        throw error;
      }
    });
    if (done !== undefined) answers.set(runnerId, done.value ? 'busy' : 'idle');
    else if (!refused) answers.set(runnerId, 'unknown');
  });
  return answers;
}

async function terminate(plan: ReapingPlan, deps: SweepDeps, run: SweepRun): Promise<Set<string>> {
  if (plan.terminate.length === 0) return new Set();
  // One TerminateInstances call for the whole sweep: its bucket is 100 calls burst, 5 per second.
  const ids = plan.terminate.map((t) => t.instanceId);
  const done = await run.attempt('terminate', ids.join(','), () => deps.fleet.terminate(ids));
  if (done === undefined) return new Set();
  for (const t of plan.terminate) deps.observer.reaped(t.reason, t.instanceId);
  return new Set(ids);
}

/**
 * Deletes each runner once, however many items name it, unless an item records it deleted by
 * another cleanup (the lifecycle's, as its instance went); records each deletion on the items of
 * `cleanups` that name it. Answers those deleted (or gone).
 */
async function deleteRunners(
  cleanups: readonly Cleanup[],
  jobs: readonly JobItem[],
  deps: SweepDeps,
  run: SweepRun,
): Promise<Set<number>> {
  const deleted = new Set(jobs.flatMap((job) => job.runnersDeleted ?? []));
  const runnerIds = [
    ...new Set(
      cleanups.flatMap((c) => (c.runnerId === undefined || deleted.has(c.runnerId) ? [] : [c.runnerId])),
    ),
  ];
  await mapLimit(runnerIds, CONCURRENCY, async (runnerId) => {
    if (!run.gitlabUsable) return;
    const done = await run.attempt('runner', runnerId, () => deps.gitlab.deleteRunner(runnerId));
    if (done === undefined) return;
    deleted.add(runnerId);
    deps.observer.reaped('runner', runnerId);
    const namedBy = new Set(cleanups.filter((c) => c.runnerId === runnerId).map((c) => c.jobId));
    await Promise.all(
      [...namedBy].map((jobId) =>
        run.attempt('mark', jobId, () => deps.table.markRunnerDeleted(jobId, runnerId)),
      ),
    );
  });
  return deleted;
}

async function deleteTokens(instanceIds: readonly string[], deps: SweepDeps, run: SweepRun): Promise<number> {
  const results = await mapLimit(instanceIds, CONCURRENCY, async (instanceId) => {
    const done = await run.attempt('token', instanceId, () => deps.tokens.delete(instanceId));
    if (done !== undefined) deps.observer.reaped('token', instanceId);
    return done !== undefined;
  });
  return results.filter(Boolean).length;
}

/**
 * Marks items whose runner is deleted (or that had none); an item whose runner deletion failed
 * keeps its runner id for the next sweep. Answers the jobs marked lost.
 */
async function markItems(
  cleanups: readonly Cleanup[],
  deletedRunners: ReadonlySet<number>,
  deps: SweepDeps,
  run: SweepRun,
): Promise<Set<number>> {
  const lost = new Set<number>();
  const ready = cleanups.filter((c) => c.runnerId === undefined || deletedRunners.has(c.runnerId));
  await mapLimit(ready, CONCURRENCY, async (c) => {
    const marked = await run.attempt('mark', c.jobId, () =>
      c.launch === true
        ? deps.table.markLaunchCleanedUp(c.jobId, c.instanceId)
        : c.lost
          ? deps.table.markLost(c.jobId, c.instanceId)
          : deps.table.markCleanedUp(c.jobId, c.instanceId),
    );
    if (marked?.value === true && c.lost) {
      lost.add(c.jobId);
      deps.observer.jobLost(c.jobId);
    }
  });
  return lost;
}

function reportFleet(instances: readonly ReaperInstance[], deps: SweepDeps): void {
  const byPool: Record<string, number> = {};
  for (const pool of Object.keys(deps.settings.poolLimits)) byPool[pool] = 0;
  for (const instance of instances) byPool[instance.pool] = (byPool[instance.pool] ?? 0) + 1;
  const usdPerHour = estimatedSpendPerHour(
    deps.settings.prices,
    instances.map((i) => i.instanceType),
  );
  deps.observer.fleetSeen(byPool, usdPerHour);
}
