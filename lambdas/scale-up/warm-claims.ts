import type { LaunchRequest } from '../shared/fleet-launch';
import type { WarmRegistry } from '../shared/job-table/warm-registry';
import { TagKey } from '../shared/naming';
import type { FleetInstance, LaunchedInstance, LaunchResult, ScaleUpFleet } from './ports';

/** What claiming ready instances reports. */
export interface WarmClaimObserver {
  claimed(pool: string, instances: number): void;
  failed(error: unknown): void;
}

/** What {@link withWarmClaims} needs. */
export interface WarmClaimDeps {
  readonly registry: WarmRegistry;
  /** Pools with warm capacity: only their launches look for ready instances. */
  readonly warmPools: ReadonlySet<string>;
  readonly observer: WarmClaimObserver;
  readonly now: () => number;
}

/**
 * Scale-up's fleet, taking the ready instances of a job's pool before launching new ones. The rest
 * of scale-up sees a launch that answered sooner: the claimed instance gets its runner and token
 * as a launched one does, and its bootstrap, polling for the token, starts the job seconds later.
 *
 * `live()` leaves ready instances out: the caps count them as room, since each job that may launch
 * takes one before any new instance starts. Without that, a pool whose warm count equals its
 * `maxInstances` would be full of idle instances that no job is allowed to claim.
 */
export function withWarmClaims(fleet: ScaleUpFleet, deps: WarmClaimDeps): ScaleUpFleet {
  // The ready instances the last `live()` saw running, which are the only ones worth claiming:
  // the registry may still list one EC2 reclaimed since the reaper's last sweep.
  let ready = new Map<string, FleetInstance>();
  return {
    async live() {
      const instances = await fleet.live();
      if (deps.warmPools.size === 0) return instances;
      const readyIds = await readyInstanceIds(deps);
      ready = new Map(instances.filter((i) => readyIds.has(i.instanceId)).map((i) => [i.instanceId, i]));
      return instances.filter((instance) => !readyIds.has(instance.instanceId));
    },
    async launch(request) {
      const claimed = await claimReady(request, ready, deps);
      // Side by side: the claimed instances' jobs wait for one EC2 call, not two. Tagging never
      // throws, and the launch throws only when nothing was claimed, so nothing is left to tag.
      const [result] = await Promise.all([
        launchRest(fleet, request, claimed),
        tagClaimedProjects(fleet, request, claimed, deps),
      ]);
      return result;
    },
    terminate: (instanceIds) => fleet.terminate(instanceIds),
    tagProjects: (instanceIds, projectTag) => fleet.tagProjects(instanceIds, projectTag),
  };
}

/** The claimed instances, and a launch of the rest of `request` when they do not cover it. */
async function launchRest(
  fleet: ScaleUpFleet,
  request: LaunchRequest,
  claimed: readonly LaunchedInstance[],
): Promise<LaunchResult> {
  const missing = request.count - claimed.length;
  if (missing === 0) return { instances: claimed, errors: [] };
  let launched: LaunchResult;
  try {
    launched = await fleet.launch({ ...request, count: missing });
  } catch (error) {
    if (claimed.length === 0) throw error;
    // The claimed instances must reach their jobs: the failure becomes the shortfall's reason.
    const code = error instanceof Error ? error.name : 'LaunchFailed';
    return { instances: claimed, errors: [{ code, message: String(error) }] };
  }
  return { instances: [...claimed, ...launched.instances], errors: launched.errors };
}

/**
 * Gives claimed instances the request's project tag, which a launched one carries from birth, so
 * that the per-project cap counts them in later batches. A failure leaves them uncounted by
 * project (every other cap still counts them) rather than keep them from their jobs.
 */
async function tagClaimedProjects(
  fleet: ScaleUpFleet,
  request: LaunchRequest,
  claimed: readonly LaunchedInstance[],
  deps: WarmClaimDeps,
): Promise<void> {
  const projectTag = request.tags[TagKey.projectId];
  if (claimed.length === 0 || projectTag === undefined) return;
  try {
    await fleet.tagProjects(
      claimed.map((instance) => instance.instanceId),
      projectTag,
    );
  } catch (error) {
    deps.observer.failed(error);
  }
}

async function readyInstanceIds(deps: WarmClaimDeps): Promise<Set<string>> {
  try {
    const rosters = await Promise.all([...deps.warmPools].map((pool) => deps.registry.roster(pool)));
    return new Set(rosters.flatMap((roster) => [...roster.ready.keys()]));
  } catch (error) {
    // Without the roster nothing is claimed this batch and the caps count every instance: launches
    // go on as without warm capacity.
    deps.observer.failed(error);
    return new Set();
  }
}

/**
 * Claims up to `request.count` ready instances of the request's pool, one conditional write each.
 * Only spot requests of the pool's own types claim: an on-demand request (a retried job of a pool
 * that asks so, or the fallback after a spot shortfall) keeps its purchase option.
 */
async function claimReady(
  request: LaunchRequest,
  ready: Map<string, FleetInstance>,
  deps: WarmClaimDeps,
): Promise<LaunchedInstance[]> {
  if (request.lifecycle !== 'spot' || !deps.warmPools.has(request.pool)) return [];
  const types = new Set(request.overrides.flatMap((o) => ('instanceType' in o ? [o.instanceType] : [])));
  const candidates = [...ready.values()].filter((i) => i.pool === request.pool && types.has(i.instanceType));
  const claimed: LaunchedInstance[] = [];
  for (const candidate of candidates) {
    if (claimed.length === request.count) break;
    ready.delete(candidate.instanceId);
    try {
      if (!(await deps.registry.claim(request.pool, candidate.instanceId, deps.now()))) continue;
    } catch (error) {
      deps.observer.failed(error);
      break;
    }
    const { instanceId, instanceType, lifecycle } = candidate;
    claimed.push({ instanceId, instanceType, lifecycle });
  }
  if (claimed.length > 0) deps.observer.claimed(request.pool, claimed.length);
  return claimed;
}
