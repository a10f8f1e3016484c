import { GitlabAuthError, GitlabNotFoundError } from '../shared/gitlab/errors';
import { type CreatedRunner, type GitlabApi, runnerDescription } from '../shared/gitlab/port';
import { type JobLedger, JobMovedOnError } from '../shared/job-table/views';
import { mapLimit } from '../shared/map-limit';
import type { RunnerScope } from '../shared/runner-scope';
import type { TokenStore } from '../shared/token-store';
import { runnerScopeKey } from './admission';
import { refuse } from './admit-demand';
import type { RoutedDemand } from './check-jobs';
import { releaseAll } from './defer-demand';
import type { GitlabMemo } from './gitlab-memo';
import type { ScaleUpObserver } from './observer';
import type { LaunchedInstance } from './ports';

/** What provisioning a runner needs. */
export interface ProvisionDeps {
  readonly gitlab: GitlabApi;
  readonly tokens: TokenStore;
  readonly ledger: JobLedger;
  readonly scope: RunnerScope;
  readonly memo: GitlabMemo;
  readonly observer: ScaleUpObserver;
}

/** A job whose runner GitLab created, before any instance is launched for it. */
export interface RunnerFor {
  readonly item: RoutedDemand;
  readonly runner: CreatedRunner;
}

/** What creating the runners of a group gave. */
export interface CreatedRunners {
  /** In the order of the items: each can be given an instance. */
  readonly ready: RunnerFor[];
  /** Messages to retry: GitLab could not answer now (429, 5xx, 401); their claims were released. */
  readonly retry: string[];
}

/**
 * Creates each job's runner before its instance is launched (locked, with the pool's tags plus
 * the job's shape tags, so GitLab will hand it the job; described `spotlab job <id>`), so that a
 * refusal costs no instance: GitLab refusing the registration (403, 404) records the job skipped
 * (`runner_refused`, not retried) and remembers the refusal for the project's next jobs. Adds
 * GitLab's `POST /user/runners` latency (about 0.3–1 s, calls side by side) before CreateFleet.
 */
export async function createRunners(
  items: readonly RoutedDemand[],
  deps: ProvisionDeps,
  concurrency: number,
): Promise<CreatedRunners> {
  const refused: RoutedDemand[] = [];
  const failed: RoutedDemand[] = [];
  const created = await mapLimit(items, concurrency, async (item) => {
    const { pool, shapeTags } = item.route;
    try {
      return await deps.gitlab.createRunner({
        scope: deps.scope,
        projectId: item.demand.projectId,
        tags: [...pool.tags, ...shapeTags],
        runUntagged: pool.runUntagged && shapeTags.length === 0,
        maximumTimeoutSeconds: pool.jobTimeoutSeconds,
        description: runnerDescription(item.demand.jobId),
      });
    } catch (error) {
      if (refusesRunners(error)) {
        deps.memo.noteRefused(runnerScopeKey(deps.scope, item.demand.projectId));
        refused.push(item);
      } else {
        deps.observer.failed('provision', item.demand.jobId, error);
        failed.push(item);
      }
      return undefined;
    }
  });
  const ready = items.flatMap((item, index) => {
    const runner = created[index];
    return runner === undefined ? [] : [{ item, runner }];
  });
  const retry = [
    ...(await refuse(refused, 'runner_refused', deps)),
    ...(await releaseAll(failed, deps.ledger)),
  ];
  return { ready, retry };
}

/** GitLab refusing the registration itself (403, 404), not the token (401) nor its own trouble. */
function refusesRunners(error: unknown): boolean {
  return (error instanceof GitlabAuthError && error.status === 403) || error instanceof GitlabNotFoundError;
}

/** What became of one instance's provisioning. */
export type ProvisionOutcome = 'ready' | 'undone' | 'moved_on';

/**
 * Gives a fresh instance its runner: stores the `glrt-` token as a SecureString named after the
 * instance (the only place the token ever goes; the instance's IAM condition and its bootstrap
 * read it by instance id), then records the launch (job id → runner id → instance id), which is
 * what ties the runner to the instance for the lifecycle and the reaper. If a step fails, what
 * was made is undone: runner deleted, token deleted; the caller terminates the instance.
 * @returns `ready` when the instance can take the job; `undone` after a failure (retry the job);
 * `moved_on` when the job ran elsewhere meanwhile (nothing to retry).
 */
export async function attachRunner(
  { item, runner }: RunnerFor,
  instance: LaunchedInstance,
  deps: ProvisionDeps,
): Promise<ProvisionOutcome> {
  try {
    await deps.tokens.put(instance.instanceId, runner.token);
    await deps.ledger.recordLaunch(item.demand.jobId, {
      instanceId: instance.instanceId,
      runnerId: runner.id,
      pool: item.route.pool.name,
      lifecycle: instance.lifecycle,
    });
    return 'ready';
  } catch (error) {
    // A job that moved on needs no launch; its instance is undone like any other.
    const movedOn = error instanceof JobMovedOnError;
    if (movedOn) deps.observer.skipped(item.demand.jobId, 'moved_on');
    else deps.observer.failed('provision', item.demand.jobId, error);
    await undo(
      [() => deps.gitlab.deleteRunner(runner.id), () => deps.tokens.delete(instance.instanceId)],
      deps,
    );
    return movedOn ? 'moved_on' : 'undone';
  }
}

/**
 * Deletes runners no instance was launched for (a launch that failed, or a shortfall): their jobs
 * are retried with a new runner, which keeps the runner count GitLab's quota sees to the instances
 * alive. A delete that fails leaves a runner no job item names, which the reaper deletes.
 */
export async function discardRunners(runners: readonly RunnerFor[], deps: ProvisionDeps): Promise<void> {
  await undo(
    runners.map(
      ({ runner }) =>
        () =>
          deps.gitlab.deleteRunner(runner.id),
    ),
    deps,
  );
}

async function undo(steps: readonly (() => Promise<void>)[], deps: ProvisionDeps): Promise<void> {
  // Each step runs even if another fails; whatever still remains is tagged with the stack (the
  // instance) or named by no job item (the runner), which is how the reaper finds it.
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      deps.observer.failed('rollback', undefined, error);
    }
  }
}
