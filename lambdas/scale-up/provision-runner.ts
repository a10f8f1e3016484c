import { GitlabAuthError, GitlabNotFoundError } from '../shared/gitlab/errors';
import type { GitlabApi } from '../shared/gitlab/port';
import { type JobLedger, JobMovedOnError } from '../shared/job-table/views';
import type { RunnerScope } from '../shared/runner-scope';
import type { TokenStore } from '../shared/token-store';
import { runnerScopeKey } from './admission';
import type { RoutedDemand } from './check-jobs';
import type { GitlabMemo } from './gitlab-memo';
import type { ScaleUpObserver } from './observer';
import type { LaunchedInstance, ScaleUpFleet } from './ports';

/** What provisioning a runner needs. */
export interface ProvisionDeps {
  readonly gitlab: GitlabApi;
  readonly tokens: TokenStore;
  readonly ledger: JobLedger;
  readonly fleet: ScaleUpFleet;
  readonly scope: RunnerScope;
  readonly memo: GitlabMemo;
  readonly observer: ScaleUpObserver;
}

/** What became of one instance's provisioning. */
export type ProvisionOutcome = 'ready' | 'undone' | 'moved_on';

/**
 * Gives a fresh instance its runner: creates the GitLab runner (locked, with the pool's tags plus
 * the job's shape tags, so GitLab will hand it the job), stores the `glrt-` token as a SecureString
 * named after the instance (the only place the token ever goes), and records the launch. If a step
 * fails, what was made is undone: runner deleted, token deleted; the caller terminates the instance.
 * @returns `ready` when the instance can take the job; `undone` after a failure (retry the job);
 * `moved_on` when the job ran elsewhere meanwhile (nothing to retry).
 */
export async function provisionRunner(
  item: RoutedDemand,
  instance: LaunchedInstance,
  deps: ProvisionDeps,
): Promise<ProvisionOutcome> {
  const { pool, shapeTags } = item.route;
  const scopeKey = runnerScopeKey(deps.scope, item.demand.projectId);
  let runnerId: number | undefined;
  try {
    const runner = await deps.gitlab.createRunner({
      scope: deps.scope,
      projectId: item.demand.projectId,
      tags: [...pool.tags, ...shapeTags],
      runUntagged: pool.runUntagged && shapeTags.length === 0,
      maximumTimeoutSeconds: pool.jobTimeoutSeconds,
      description: `spotlab ${instance.instanceId}`,
    });
    runnerId = runner.id;
    // Each registration GitLab accepts renews the verdict: a busy project is never probed again.
    deps.memo.noteRunner(scopeKey, 'accepted');
    await deps.tokens.put(instance.instanceId, runner.token);
    await deps.ledger.recordLaunch(item.demand.jobId, {
      instanceId: instance.instanceId,
      runnerId: runner.id,
      pool: pool.name,
      lifecycle: instance.lifecycle,
    });
    return 'ready';
  } catch (error) {
    // A job that moved on needs no launch; its instance is undone like any other.
    const movedOn = error instanceof JobMovedOnError;
    // Refused since admission probed (a permission revoked): the next batches refuse before launching.
    if (runnerId === undefined && refusesRunners(error)) deps.memo.noteRunner(scopeKey, 'refused');
    if (movedOn) deps.observer.skipped(item.demand.jobId, 'moved_on');
    else deps.observer.failed('provision', item.demand.jobId, error);
    await undo(instance.instanceId, runnerId, deps);
    return movedOn ? 'moved_on' : 'undone';
  }
}

/** GitLab refusing the registration itself (403, 404), not the token (401) nor its own trouble. */
function refusesRunners(error: unknown): boolean {
  return (error instanceof GitlabAuthError && error.status === 403) || error instanceof GitlabNotFoundError;
}

async function undo(instanceId: string, runnerId: number | undefined, deps: ProvisionDeps): Promise<void> {
  // Each undo step runs even if another fails; whatever still remains is tagged with the stack and
  // named after the instance, which is how the reaper finds it.
  const steps = [
    runnerId === undefined ? undefined : () => deps.gitlab.deleteRunner(runnerId),
    () => deps.tokens.delete(instanceId),
  ];
  for (const step of steps) {
    if (step === undefined) continue;
    try {
      await step();
    } catch (error) {
      deps.observer.failed('rollback', undefined, error);
    }
  }
}
