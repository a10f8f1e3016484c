import type { Lifecycle } from '../shared/fleet-launch';
import type { GitlabApi } from '../shared/gitlab/port';
import type { JobLedger } from '../shared/job-table/views';
import { hourlyPrice, type PriceList } from '../shared/prices';
import type { RunnerScope } from '../shared/runner-scope';
import type { TokenStore } from '../shared/token-store';
import type { AdmissionPolicy } from './admission';
import { admitDemand } from './admit-demand';
import { allocateCapacity, type GlobalLimits } from './capacity';
import { checkJobs, type Demand, type RoutedDemand } from './check-jobs';
import { type CoolDownDeps, coolingPools } from './cool-down-pools';
import {
  CAP_WAIT_SECONDS,
  deferAll,
  demandAgeMs,
  isThrottle,
  MAX_DEMAND_AGE_MS,
  releaseAll,
} from './defer-demand';
import type { GitlabMemo } from './gitlab-memo';
import type { LaunchPacer } from './launch-pacing';
import type { LaunchGroup } from './launch-request';
import type { ScaleUpObserver } from './observer';
import type { DemandRequeue, ScaleUpFleet } from './ports';
import type { ShapeTags } from './route-job';
import type { RuntimePool } from './runtime-pool';
import { serveGroup } from './serve-group';

/** Everything scale-up talks to and decides with. */
export interface ScaleUpDeps extends CoolDownDeps {
  readonly gitlab: GitlabApi;
  readonly fleet: ScaleUpFleet;
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
  /**
   * The demand queue, where waiting jobs are re-sent with a delay. Without it a waiting job's
   * message is retried (`batchItemFailures`), spending a receive towards the DLQ each time.
   */
  readonly requeue?: DemandRequeue;
  /** Sizes launches to the account's instance-launch bucket. Without it, EC2's bucket decides. */
  readonly pacer?: LaunchPacer;
  /** Jobs that come back together after a wait for the launch rate (one CreateFleet). @default 50 */
  readonly deferChunk?: number;
}

/**
 * Turns a batch of demand into capacity: claim and check each job, refuse what Spotlab may not
 * serve (allow-lists, group scope, GitLab refusing the runner), group by pool and shape, apply
 * the caps, create each job's runner, launch each group with one CreateFleet (plus one on-demand
 * call for a spot shortfall) and give every instance its runner's token.
 * @returns ids of the messages to retry (SQS redelivers them after the visibility timeout).
 */
export async function scaleUp(demands: readonly Demand[], deps: ScaleUpDeps): Promise<string[]> {
  const concurrency = deps.concurrency ?? 8;
  const now = deps.now();
  const expired = demands.filter((item) => demandAgeMs(item.demand, now) > MAX_DEMAND_AGE_MS);
  for (const item of expired) deps.observer.demandExpired(item.demand.jobId);
  const current = demands.filter((item) => !expired.includes(item));
  // Object.assign, not `{ ...deps, concurrency }`: V8 (Node 20) takes a slow path for a key after a
  // spread, tens of microseconds for deps this wide, twice a batch.
  const withConcurrency = Object.assign({}, deps, { concurrency });
  const checked = await checkJobs(current, withConcurrency);
  const admitted = await admitDemand(checked.routed, withConcurrency);
  const retry = [...checked.retry, ...admitted.retry];
  const groups = groupByShape(admitted.admitted, await coolingPools(admitted.admitted, deps, now));
  if (groups.length === 0) return retry;
  let live: Awaited<ReturnType<ScaleUpFleet['live']>>;
  try {
    live = await deps.fleet.live();
  } catch (error) {
    // Without the live count no cap can be checked: give every claim back; a throttled
    // DescribeInstances waits as a cap does, anything else retries the batch.
    deps.observer.failed('launch', undefined, error);
    if (isThrottle(error)) return [...retry, ...(await deferAll(admitted.admitted, [], 'throttled', deps))];
    return [...retry, ...(await releaseAll(admitted.admitted, deps.ledger))];
  }
  deps.pacer?.observe(
    live.flatMap((instance) => (instance.launchedAt === undefined ? [] : [instance.launchedAt])),
    deps.now(),
  );
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
  // The launch budget is shared out before any call, in group order, as the caps are.
  // The caps choose which jobs may launch (the per-project cap picks among projects); the pacer
  // then decides how many of those the account's launch bucket has room for now.
  const plans = groups.map(({ group, items }) => {
    const chosen = new Set(allowed.get(group.key) ?? []);
    const launching = items.filter((_, index) => chosen.has(index));
    const overCap = items.filter((_, index) => !chosen.has(index));
    const paced =
      deps.pacer === undefined
        ? launching.length
        : deps.pacer.reserve(launching.length, deps.now(), deps.deferChunk ?? 50);
    return { group, launching, overCap, paced };
  });
  // Groups launch side by side: one pool's CreateFleet does not wait for another's.
  const outcomes = await Promise.all(
    plans.map(async ({ group, launching, overCap, paced }) => {
      if (overCap.length > 0) deps.observer.waitingOnLimit(group.pool.name, overCap.length);
      const launchNow = launching.slice(0, paced);
      const launchable = {
        ...group,
        jobIds: launchNow.map((item) => item.demand.jobId),
        projectIds: launchNow.map((item) => item.demand.projectId),
      };
      const served = await serveGroup(launchable, launchNow, deps, concurrency);
      const overRate = await waitForRate(launching.slice(paced), deps);
      const capDelays = overCap.map(() => CAP_WAIT_SECONDS);
      const overCapRetry = await deferAll(overCap, capDelays, 'cap', deps);
      return [...served, ...overRate, ...overCapRetry];
    }),
  );
  return [...retry, ...outcomes.flat()];
}

/** Jobs the launch rate has no room for now wait for the slots the pacer promises them. */
function waitForRate(items: readonly RoutedDemand[], deps: ScaleUpDeps): Promise<string[]> {
  if (items.length === 0) return Promise.resolve([]);
  const delays = deps.pacer?.defer(items.length, deps.now(), deps.deferChunk ?? 50) ?? [];
  return deferAll(items, delays, 'launch_rate', deps);
}

/**
 * On-demand for a retried job when its pool asks so: Spotlab retries a job spot reclaimed, and a
 * second reclaim would cost the job its whole run again. On-demand too while the pool cools down
 * after repeated interruptions. Otherwise spot first.
 */
function launchLifecycle(item: RoutedDemand, cooling: boolean): Lifecycle {
  if (cooling) return 'on-demand';
  return item.route.pool.onDemandForRetries === true && item.demand.retriesCount > 0 ? 'on-demand' : 'spot';
}

function groupByShape(
  routed: readonly RoutedDemand[],
  cooling: ReadonlySet<string>,
): { group: LaunchGroup; items: RoutedDemand[] }[] {
  const groups = new Map<string, { group: LaunchGroup; items: RoutedDemand[] }>();
  for (const item of routed) {
    const coolingDown = cooling.has(item.route.pool.name);
    const lifecycle = launchLifecycle(item, coolingDown);
    const key = [item.route.pool.name, ...[...item.route.shapeTags].sort(), lifecycle].join('|');
    const entry = groups.get(key) ?? {
      group: {
        key,
        pool: item.route.pool,
        lifecycle,
        ...(coolingDown ? { coolingDown } : {}),
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
