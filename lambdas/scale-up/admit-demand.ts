import { GitlabAuthError, GitlabNotFoundError } from '../shared/gitlab/errors';
import { type GitlabApi, PROBE_RUNNER_DESCRIPTION } from '../shared/gitlab/port';
import type { JobLedger } from '../shared/job-table/views';
import { mapLimit } from '../shared/map-limit';
import type { RunnerScope } from '../shared/runner-scope';
import {
  type AdmissionPolicy,
  judgeLocation,
  listVerdict,
  locationNeeded,
  type Refusal,
  runnerScopeKey,
} from './admission';
import type { RoutedDemand } from './check-jobs';
import type { GitlabMemo, RunnerVerdict } from './gitlab-memo';
import type { ScaleUpObserver } from './observer';

/** What admission needs. */
export interface AdmissionDeps {
  readonly gitlab: Pick<GitlabApi, 'createRunner' | 'deleteRunner'>;
  readonly memo: GitlabMemo;
  readonly admission: AdmissionPolicy;
  readonly scope: RunnerScope;
  readonly ledger: JobLedger;
  readonly observer: ScaleUpObserver;
  readonly concurrency: number;
}

/** What admission decided. */
export interface AdmissionOutcome {
  readonly admitted: RoutedDemand[];
  /** Messages to retry: their claims were released. */
  readonly retry: string[];
}

/**
 * Lets only demand Spotlab may serve reach the caps and the fleet: a project the allow-lists do
 * not name, or (group scope) one outside the runners' group, and a project or group where GitLab
 * refuses to register a runner, are refused: the job is recorded skipped, nothing launches and no
 * runner is made. A refused job is not retried; GitLab fails it after an hour without a runner.
 */
export async function admitDemand(
  routed: readonly RoutedDemand[],
  deps: AdmissionDeps,
): Promise<AdmissionOutcome> {
  const retry: string[] = [];
  const located: RoutedDemand[] = [];
  await mapLimit(routed, deps.concurrency, async (item) => {
    const verdict = await locate(item, deps).catch((error: unknown) => {
      deps.observer.failed('check', item.demand.jobId, error);
      return 'retry' as const;
    });
    if (verdict === 'retry') retry.push(...(await release([item], deps)));
    else if (verdict !== undefined) retry.push(...(await refuse([item], verdict, deps)));
    else located.push(item);
  });
  const admitted: RoutedDemand[] = [];
  const byKey = new Map<string, RoutedDemand[]>();
  for (const item of located) {
    const key = runnerScopeKey(deps.scope, item.demand.projectId);
    byKey.set(key, [...(byKey.get(key) ?? []), item]);
  }
  await mapLimit([...byKey.values()], deps.concurrency, async (items) => {
    if ((await runnerVerdict(items[0] as RoutedDemand, deps)) === 'refused')
      retry.push(...(await refuse(items, 'runner_refused', deps)));
    else admitted.push(...items);
  });
  await deleteLeftoverProbes(deps);
  return { admitted, retry };
}

/** The allow-lists' and the group's verdict on one job's project. */
async function locate(item: RoutedDemand, deps: AdmissionDeps): Promise<Refusal | undefined> {
  const { projectId } = item.demand;
  const verdict = listVerdict(projectId, deps.admission);
  if (verdict === 'refused') return 'project_not_allowed';
  if (!locationNeeded(verdict, deps.scope)) return undefined;
  const groupPath =
    deps.scope.type === 'group' ? (await deps.memo.group(deps.scope.groupId)).fullPath : undefined;
  let path: string;
  try {
    path = (await deps.memo.project(projectId)).pathWithNamespace;
  } catch (error) {
    // The token sees every project of the runners' group and of an allowed namespace it serves:
    // one it cannot see is none of them.
    if (!(error instanceof GitlabNotFoundError)) throw error;
    return groupPath === undefined ? 'project_not_allowed' : 'outside_group';
  }
  return judgeLocation(path, verdict, deps.admission, groupPath);
}

/**
 * Whether GitLab registers runners for the scope of `item`'s project, asked before any instance
 * launches for it: a probe runner (no tags a job can match, its token dropped at once) is created
 * and deleted. The warm Lambda remembers the verdict, and every real registration renews it, so
 * this costs two calls per project (group, instance) now and then, not per job. `undefined`:
 * GitLab could not tell now (429, 5xx, 401); the demand goes on as it did before the probe
 * existed, and the runner created after the launch decides, as a refusal is what the probe spares.
 */
async function runnerVerdict(item: RoutedDemand, deps: AdmissionDeps): Promise<RunnerVerdict | undefined> {
  const key = runnerScopeKey(deps.scope, item.demand.projectId);
  try {
    return await deps.memo.runnerVerdict(key, () => probeRunner(item, deps));
  } catch (error) {
    deps.observer.failed('check', item.demand.jobId, error);
    return undefined;
  }
}

/** Deletes the probe runners whose deletion failed, this batch's and earlier ones'. */
async function deleteLeftoverProbes(deps: AdmissionDeps): Promise<void> {
  await Promise.all(
    deps.memo.takeLeftoverProbes().map((runnerId) =>
      deps.gitlab.deleteRunner(runnerId).catch((error: unknown) => {
        deps.memo.leaveProbe(runnerId);
        deps.observer.failed('rollback', undefined, error);
      }),
    ),
  );
}

async function probeRunner(item: RoutedDemand, deps: AdmissionDeps): Promise<RunnerVerdict> {
  let runnerId: number;
  try {
    ({ id: runnerId } = await deps.gitlab.createRunner({
      scope: deps.scope,
      projectId: item.demand.projectId,
      // A tag no job of Spotlab's pools asks for, no untagged jobs: the probe could take no job
      // even if its token were used, and it is not.
      tags: ['spotlab-probe'],
      runUntagged: false,
      maximumTimeoutSeconds: 600,
      description: PROBE_RUNNER_DESCRIPTION,
    }));
  } catch (error) {
    // 403: the token's user may not add runners there; 404: it cannot see the project or group.
    // 401 is the token itself (every call fails): not the project's fault, so it is retried.
    if ((error instanceof GitlabAuthError && error.status === 403) || error instanceof GitlabNotFoundError)
      return 'refused';
    throw error;
  }
  await deps.gitlab.deleteRunner(runnerId).catch((error: unknown) => {
    deps.memo.leaveProbe(runnerId);
    deps.observer.failed('rollback', item.demand.jobId, error);
  });
  return 'accepted';
}

async function refuse(
  items: readonly RoutedDemand[],
  reason: Refusal,
  deps: AdmissionDeps,
): Promise<string[]> {
  const retry: string[] = [];
  await Promise.all(
    items.map(async (item) => {
      deps.observer.refused(item.demand.jobId, reason);
      try {
        await deps.ledger.recordSkip(item.demand.jobId, reason);
      } catch (error) {
        deps.observer.failed('check', item.demand.jobId, error);
        retry.push(...(await release([item], deps)));
      }
    }),
  );
  return retry;
}

async function release(items: readonly RoutedDemand[], deps: AdmissionDeps): Promise<string[]> {
  await Promise.all(items.map((item) => deps.ledger.release(item.demand.jobId)));
  return items.map((item) => item.messageId);
}
