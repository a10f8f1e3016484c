import { GitlabNotFoundError } from '../shared/gitlab/errors';
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
import type { GitlabMemo } from './gitlab-memo';
import type { ScaleUpObserver } from './observer';

/** What admission needs. */
export interface AdmissionDeps {
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
 * refused to register a runner in the last minutes (the memo; the refusal itself is met when the
 * runner is created, before any launch: `create-runners.ts`), are refused: the job is recorded
 * skipped, nothing launches and no runner is made. A refused job is not retried; GitLab fails it
 * after an hour without a runner.
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
  const refused: RoutedDemand[] = [];
  for (const item of located) {
    const key = runnerScopeKey(deps.scope, item.demand.projectId);
    (deps.memo.refusesRunners(key) ? refused : admitted).push(item);
  }
  retry.push(...(await refuse(refused, 'runner_refused', deps)));
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
 * Records each of `items` skipped for `reason` (not retried).
 * @returns the messages to retry: those whose skip could not be recorded (their claims released).
 */
export async function refuse(
  items: readonly RoutedDemand[],
  reason: Refusal,
  deps: Pick<AdmissionDeps, 'ledger' | 'observer'>,
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

async function release(
  items: readonly RoutedDemand[],
  deps: Pick<AdmissionDeps, 'ledger'>,
): Promise<string[]> {
  await Promise.all(items.map((item) => deps.ledger.release(item.demand.jobId)));
  return items.map((item) => item.messageId);
}
