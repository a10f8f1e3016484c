import { coolingDown } from '../shared/interruptions/cool-down';
import type { InterruptionLog } from '../shared/interruptions/port';
import type { RoutedDemand } from './check-jobs';
import type { ScaleUpObserver } from './observer';

/** What choosing the cooling pools reads. */
export interface CoolDownDeps {
  /** Without it no pool cools down (every launch is spot first). */
  readonly interruptions?: InterruptionLog;
  readonly observer: ScaleUpObserver;
}

/**
 * The pools of `items` that launch on-demand now because their spot interruptions repeated
 * (`spotCoolDown`). A failed read costs no launch: the batch goes spot first, as it would have
 * before any interruption, and the failure is logged.
 */
export async function coolingPools(
  items: readonly RoutedDemand[],
  deps: CoolDownDeps,
  nowMs: number,
): Promise<ReadonlySet<string>> {
  const pools = new Map(
    items.map((item) => item.route.pool).map((pool) => [pool.name, pool.spotCoolDown] as const),
  );
  const watched = [...pools].filter(([, policy]) => policy.minutes > 0).map(([name]) => name);
  if (deps.interruptions === undefined || watched.length === 0) return new Set();
  let recent: Awaited<ReturnType<InterruptionLog['recent']>>;
  try {
    recent = await deps.interruptions.recent(watched);
  } catch (error) {
    deps.observer.failed('cool_down', undefined, error);
    return new Set();
  }
  return new Set(
    watched.filter((name) => {
      const policy = pools.get(name);
      return policy !== undefined && coolingDown(recent.get(name) ?? [], policy, nowMs);
    }),
  );
}
