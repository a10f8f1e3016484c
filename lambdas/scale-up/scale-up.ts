import type { GitlabApi } from '../shared/gitlab/port';
import type { JobLedger } from '../shared/job-table/views';
import { mapLimit } from '../shared/map-limit';
import { hourlyPrice, type PriceList } from '../shared/prices';
import type { RunnerScope } from '../shared/runner-scope';
import type { TokenStore } from '../shared/token-store';
import type { AdmissionPolicy } from './admission';
import { admitDemand } from './admit-demand';
import { allocateCapacity, type GlobalLimits } from './capacity';
import { checkJobs, type Demand, type RoutedDemand } from './check-jobs';
import type { GitlabMemo } from './gitlab-memo';
import { launchGroup } from './launch-groups';
import type { LaunchGroup } from './launch-request';
import type { ScaleUpObserver } from './observer';
import type { Fleet, LaunchedInstance, Lifecycle } from './ports';
import { provisionRunner } from './provision-runner';
import type { ShapeTags } from './route-job';
import type { RuntimePool } from './runtime-pool';

/** Everything scale-up talks to and decides with. */
export interface ScaleUpDeps {
  readonly gitlab: GitlabApi;
  readonly fleet: Fleet;
  readonly tokens: TokenStore;
  readonly ledger: JobLedger;
  readonly pools: readonly RuntimePool[];
  readonly subnetIds: readonly string[];
  readonly scope: RunnerScope;
  /** Which projects may cause launches. */
  readonly admission: AdmissionPolicy;
  /** GitLab's answers this execution environment remembers; made once, outlives the batch. */
  readonly memo: GitlabMemo;
  readonly limits: GlobalLimits;
  readonly prices: PriceList;
  readonly shapeTags: ShapeTags;
  readonly stackName: string;
  readonly observer: ScaleUpObserver;
  readonly now: () => number;
  /** GitLab calls in flight at once. @default 8 */
  readonly concurrency?: number;
}

/**
 * Turns a batch of demand into capacity: claim and check each job, refuse what Spotlab may not
 * serve (allow-lists, group scope, GitLab refusing the runner), group by pool and shape, apply
 * the caps, launch each group with one CreateFleet (plus one on-demand call for a spot shortfall)
 * and give every instance its runner.
 * @returns ids of the messages to retry (SQS redelivers them after the visibility timeout).
 */
export async function scaleUp(demands: readonly Demand[], deps: ScaleUpDeps): Promise<string[]> {
  const concurrency = deps.concurrency ?? 8;
  const checked = await checkJobs(demands, { ...deps, concurrency });
  const admitted = await admitDemand(checked.routed, { ...deps, concurrency });
  const retry = [...checked.retry, ...admitted.retry];
  const groups = groupByShape(admitted.admitted);
  if (groups.length === 0) return retry;
  let live: Awaited<ReturnType<Fleet['live']>>;
  try {
    live = await deps.fleet.live();
  } catch (error) {
    // Without the live count no cap can be checked: give every claim back and retry the batch.
    deps.observer.failed('launch', undefined, error);
    return [...retry, ...(await releaseAll(admitted.admitted, deps.ledger))];
  }
  const allowed = allocateCapacity(
    groups.map(({ group }) => ({
      key: group.key,
      pool: group.pool.name,
      poolMaxInstances: group.pool.maxInstances,
      wanted: group.jobIds.length,
      projectIds: group.projectIds,
      unitPriceUsd: Math.max(
        ...(group.pool.instanceTypes ?? [undefined]).map((type) => hourlyPrice(deps.prices, type)),
      ),
    })),
    live,
    deps.limits,
    deps.prices,
  );
  // Groups launch side by side: one pool's CreateFleet does not wait for another's.
  const outcomes = await Promise.all(
    groups.map(async ({ group, items }) => {
      const chosen = new Set(allowed.get(group.key) ?? []);
      const launching = items.filter((_, index) => chosen.has(index));
      const waiting = items.filter((_, index) => !chosen.has(index));
      if (waiting.length > 0) deps.observer.waitingOnLimit(group.pool.name, waiting.length);
      const launchable = {
        ...group,
        jobIds: launching.map((item) => item.demand.jobId),
        projectIds: launching.map((item) => item.demand.projectId),
      };
      const served = await serveGroup(launchable, launching, deps, concurrency);
      return [...served, ...(await releaseAll(waiting, deps.ledger))];
    }),
  );
  return [...retry, ...outcomes.flat()];
}

/** Launches a group and provisions its instances; returns the messages to retry. */
async function serveGroup(
  group: LaunchGroup,
  items: readonly RoutedDemand[],
  deps: ScaleUpDeps,
  concurrency: number,
): Promise<string[]> {
  if (items.length === 0) return [];
  for (const item of items)
    deps.observer.webhookToLaunchMs(group.pool.name, deps.now() - Date.parse(item.demand.receivedAt));
  let instances: LaunchedInstance[];
  try {
    ({ instances } = await launchGroup(group, items.length, deps));
  } catch (error) {
    deps.observer.failed('launch', undefined, error);
    return releaseAll(items, deps.ledger);
  }
  const outcomes = await mapLimit(instances, concurrency, (instance, index) =>
    provisionRunner(items[index] as RoutedDemand, instance, deps),
  );
  const failedInstances = instances
    .filter((_, index) => outcomes[index] !== 'ready')
    .map((instance) => instance.instanceId);
  if (failedInstances.length > 0) {
    // One call for all of them: TerminateInstances takes up to 1000 ids and has its own bucket.
    await deps.fleet
      .terminate(failedInstances)
      .catch((error: unknown) => deps.observer.failed('rollback', undefined, error));
  }
  // Jobs with no instance (a shortfall) or whose provisioning was undone are retried.
  const unserved = items.filter((_, index) => outcomes[index] === undefined || outcomes[index] === 'undone');
  return releaseAll(unserved, deps.ledger);
}

/**
 * On-demand for a retried job when its pool asks so: Spotlab retries a job spot reclaimed, and a
 * second reclaim would cost the job its whole run again. Otherwise spot first.
 */
function launchLifecycle(item: RoutedDemand): Lifecycle {
  return item.route.pool.onDemandForRetries === true && item.demand.retriesCount > 0 ? 'on-demand' : 'spot';
}

function groupByShape(routed: readonly RoutedDemand[]): { group: LaunchGroup; items: RoutedDemand[] }[] {
  const groups = new Map<string, { group: LaunchGroup; items: RoutedDemand[] }>();
  for (const item of routed) {
    const lifecycle = launchLifecycle(item);
    const key = [item.route.pool.name, ...[...item.route.shapeTags].sort(), lifecycle].join('|');
    const entry = groups.get(key) ?? {
      group: {
        key,
        pool: item.route.pool,
        lifecycle,
        requirements: item.route.requirements,
        jobIds: [],
        projectIds: [],
      },
      items: [],
    };
    entry.items.push(item);
    groups.set(key, {
      group: {
        ...entry.group,
        jobIds: [...entry.group.jobIds, item.demand.jobId],
        projectIds: [...entry.group.projectIds, item.demand.projectId],
      },
      items: entry.items,
    });
  }
  return [...groups.values()];
}

async function releaseAll(items: readonly RoutedDemand[], ledger: JobLedger): Promise<string[]> {
  await Promise.all(items.map((item) => ledger.release(item.demand.jobId)));
  return items.map((item) => item.messageId);
}
