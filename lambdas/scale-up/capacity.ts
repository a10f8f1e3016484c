import { estimatedSpendPerHour, type PriceList } from '../shared/prices';
import type { FleetInstance } from './ports';

/** Caps that hold across all pools. */
export interface GlobalLimits {
  readonly maxInstances: number;
  readonly maxSpendPerHourUsd: number;
}

/** Demand of one launch group before limits. */
export interface GroupDemand {
  readonly key: string;
  readonly pool: string;
  readonly poolMaxInstances: number;
  readonly wanted: number;
  /** Price of one new instance; for a type list, its most expensive type (EC2 may pick it). */
  readonly unitPriceUsd: number;
}

/**
 * How many instances each group may launch now: within its pool's cap, the global cap and the
 * hourly spend cap, with what is already live counted first. Groups are served in order; what
 * does not fit waits (its messages are retried later), it is never dropped.
 */
export function allocateCapacity(
  groups: readonly GroupDemand[],
  live: readonly FleetInstance[],
  limits: GlobalLimits,
  prices: PriceList,
): Map<string, number> {
  const perPool = new Map<string, number>();
  for (const instance of live) perPool.set(instance.pool, (perPool.get(instance.pool) ?? 0) + 1);
  let total = live.length;
  let spend = estimatedSpendPerHour(
    prices,
    live.map((instance) => instance.instanceType),
  );
  const allowed = new Map<string, number>();
  for (const group of groups) {
    const poolRoom = group.poolMaxInstances - (perPool.get(group.pool) ?? 0);
    const globalRoom = limits.maxInstances - total;
    // A small epsilon keeps float sums from refusing an instance that fits exactly.
    const spendRoom = Math.floor((limits.maxSpendPerHourUsd - spend + 1e-9) / group.unitPriceUsd);
    const count = Math.max(0, Math.min(group.wanted, poolRoom, globalRoom, spendRoom));
    allowed.set(group.key, count);
    perPool.set(group.pool, (perPool.get(group.pool) ?? 0) + count);
    total += count;
    spend += count * group.unitPriceUsd;
  }
  return allowed;
}
