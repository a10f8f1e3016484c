import type { WarmRoster } from '../shared/job-table/warm-registry';
import { type WarmWindow, warmTarget } from '../shared/warm-schedule';
import { GONE_AFTER_SECONDS } from './decide-reaping';
import type { ReaperInstance } from './ports';

/**
 * Ready instances launched per sweep at most, across pools. EC2's instance-launch bucket refills
 * 2 a second (120 a minute) for the whole account and scale-up spends it on jobs: warm capacity
 * fills up over a few sweeps rather than competing with a burst of real demand.
 */
export const WARM_LAUNCHES_PER_SWEEP = 20;

/** One pool with warm capacity, as the decision sees it. */
export interface WarmPoolState {
  readonly name: string;
  readonly windows: readonly WarmWindow[];
  readonly maxInstances: number;
  /**
   * Age past which a ready instance is replaced: a claimed instance must still be allowed to run a
   * whole job before the reaper's lifetime bound (counted from the claim) is the only one left.
   */
  readonly retireAfterMs: number;
  readonly roster: WarmRoster;
}

/** What a sweep does for one pool's warm capacity. */
export interface WarmPlan {
  readonly pool: string;
  /** Ready instances to launch now. */
  readonly launch: number;
  /** Ready instances to take back and terminate: outside every window, over the count, or old. */
  readonly retire: readonly string[];
  /** Registry entries whose instance is gone (interrupted, terminated): they are just replaced. */
  readonly forget: readonly string[];
}

/**
 * Decides, for each pool with warm capacity, how many ready instances to launch and which to
 * retire or forget. Pure. Launches keep within the pool's and the global `maxInstances` (every
 * live instance, ready or not, counts) and {@link WARM_LAUNCHES_PER_SWEEP}.
 */
export function decideWarm(
  pools: readonly WarmPoolState[],
  instances: readonly ReaperInstance[],
  maxInstances: number,
  nowMs: number,
): WarmPlan[] {
  const live = new Set(instances.map((i) => i.instanceId));
  let globalRoom = maxInstances - instances.length;
  let launchBudget = WARM_LAUNCHES_PER_SWEEP;
  return pools.map((pool) => {
    // DescribeInstances is eventually consistent: a ready instance launched seconds ago may not be listed.
    const listed = (id: string, sinceMs: number) =>
      live.has(id) || nowMs - sinceMs < GONE_AFTER_SECONDS * 1000;
    const forget = [
      ...[...pool.roster.ready].filter(([id, at]) => !listed(id, at)).map(([id]) => id),
      ...[...pool.roster.claimed].filter(([id, at]) => !listed(id, at)).map(([id]) => id),
    ];
    const ready = [...pool.roster.ready].filter(([id, at]) => listed(id, at)).sort((a, b) => a[1] - b[1]);
    const old = ready.filter(([, at]) => nowMs - at > pool.retireAfterMs).map(([id]) => id);
    const fresh = ready.filter(([, at]) => nowMs - at <= pool.retireAfterMs).map(([id]) => id);
    const target = warmTarget(pool.windows, nowMs);
    // The oldest go first: they are the nearest to being retired anyway.
    const surplus = fresh.slice(0, Math.max(0, fresh.length - target));
    const poolLive = instances.filter((i) => i.pool === pool.name).length;
    const launch = Math.max(
      0,
      Math.min(
        target - (fresh.length - surplus.length),
        pool.maxInstances - poolLive,
        globalRoom,
        launchBudget,
      ),
    );
    globalRoom -= launch;
    launchBudget -= launch;
    return { pool: pool.name, launch, retire: [...old, ...surplus], forget };
  });
}
