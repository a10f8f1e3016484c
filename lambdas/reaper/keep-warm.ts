import { createHash } from 'node:crypto';
import type { WarmRegistry } from '../shared/job-table/warm-registry';
import { mapLimit } from '../shared/map-limit';
import { warmWindows } from '../shared/warm-schedule';
import { decideWarm, type WarmPlan, type WarmPoolState } from './decide-warm';
import type { WarmSettings } from './env';
import type { ReaperFleet, ReaperInstance, WarmLauncher } from './ports';
import type { SweepRun } from './sweep-context';

/** What keeping warm capacity talks to. */
export interface WarmDeps {
  readonly settings: WarmSettings;
  readonly registry: WarmRegistry;
  readonly launcher: WarmLauncher;
  readonly fleet: Pick<ReaperFleet, 'terminate'>;
  readonly stackName: string;
  /** Ready instances launched, per pool (the `WarmLaunched` metric). */
  readonly launched: (pool: string, instances: number) => void;
}

/** What the rest of the sweep must know of the warm instances it saw. */
export interface WarmView {
  /** Ready, unclaimed instances: they wait for a job by design and are not reaped as idle. */
  readonly exempt: ReadonlySet<string>;
  /** Claimed instances by id, with the claim time: their idle and lifetime bounds start there. */
  readonly claimedAtMs: ReadonlyMap<string, number>;
}

/**
 * Keeps each pool's ready count while one of its windows is open: forgets ready instances that
 * are gone, retires those out of window, over the count or old (taking each back with a claim
 * first, so an instance scale-up just took is never terminated), and launches the shortfall.
 * A pool whose roster could not be read exempts all its instances from reaping this sweep: one of
 * them may be ready, and the next sweep, a minute later, knows.
 */
export async function keepWarm(
  instances: readonly ReaperInstance[],
  nowMs: number,
  deps: WarmDeps,
  run: SweepRun,
): Promise<WarmView> {
  const { pools } = deps.settings;
  const rosters = await Promise.all(
    pools.map((pool) => run.attempt('warm', pool.name, () => deps.registry.roster(pool.name))),
  );
  const unread = new Set(pools.filter((_, index) => rosters[index] === undefined).map((pool) => pool.name));
  const states: WarmPoolState[] = pools.flatMap((pool, index) => {
    const roster = rosters[index]?.value;
    if (roster === undefined) return [];
    const retireAfterMs = (pool.maxLifetimeMinutes - pool.jobTimeoutMinutes) * 60_000;
    return [
      {
        name: pool.name,
        windows: warmWindows(pool.warm),
        maxInstances: pool.maxInstances,
        retireAfterMs,
        roster,
      },
    ];
  });
  const plans = decideWarm(states, instances, deps.settings.maxInstances, nowMs);
  await mapLimit(plans, 4, (plan) => carryOut(plan, nowMs, deps, run));
  const exempt = new Set(instances.filter((i) => unread.has(i.pool)).map((i) => i.instanceId));
  const claimedAtMs = new Map<string, number>();
  for (const state of states) {
    for (const id of state.roster.ready.keys()) exempt.add(id);
    for (const [id, at] of state.roster.claimed) claimedAtMs.set(id, at);
  }
  return { exempt, claimedAtMs };
}

async function carryOut(plan: WarmPlan, nowMs: number, deps: WarmDeps, run: SweepRun): Promise<void> {
  const pool = deps.settings.pools.find((p) => p.name === plan.pool);
  if (pool === undefined) return;
  const retired: string[] = [];
  for (const id of plan.retire) {
    const taken = await run.attempt('warm', id, () => deps.registry.claim(plan.pool, id, nowMs));
    if (taken?.value === true) retired.push(id);
  }
  if (retired.length > 0) await run.attempt('terminate', plan.pool, () => deps.fleet.terminate(retired));
  const forget = [...plan.forget, ...retired];
  if (forget.length > 0) await run.attempt('warm', plan.pool, () => deps.registry.forget(plan.pool, forget));
  if (plan.launch === 0) return;
  const launched = await run.attempt('warm_launch', plan.pool, () =>
    deps.launcher.launch({
      pool: plan.pool,
      launchTemplateId: pool.launchTemplateId,
      instanceTypes: pool.instanceTypes,
      subnetIds: deps.settings.subnetIds,
      count: plan.launch,
      clientToken: warmClientToken(deps.stackName, plan.pool, plan.launch, nowMs),
    }),
  );
  if (launched === undefined || launched.value.length === 0) return;
  deps.launched(plan.pool, launched.value.length);
  // Not recorded (the write failed), the instances look idle to the next sweeps, which reap them.
  await run.attempt('warm', plan.pool, () => deps.registry.addReady(plan.pool, launched.value, nowMs));
}

/**
 * The same pool, count and minute give the same token: two sweeps that overlap launch once (EC2
 * answers the second call with the first's instances).
 */
export function warmClientToken(stackName: string, pool: string, count: number, nowMs: number): string {
  const minute = Math.floor(nowMs / 60_000);
  return createHash('sha256').update(`${stackName}|warm|${pool}|${count}|${minute}`).digest('hex');
}
