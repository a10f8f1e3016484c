import { hourlyPrice } from '../../lambdas/shared/prices';
import { warmInstanceHoursPerWeek, warmWindows } from '../../lambdas/shared/warm-schedule';
import type { SpotlabConfig } from '../config/schema';
import type { CostLine } from './idle';
import { instanceExtrasUsd } from './per-job';
import { HOURS_PER_MONTH } from './service-prices';

/**
 * Spot price off on-demand: most spot users save 50–70% (AWS advertises "up to 90%"); the middle,
 * as `spotlab simulate` assumes (planner/defaults.ts, docs/simulate.md).
 */
export const WARM_SPOT_DISCOUNT = 0.6;

/**
 * A week that starts on a Monday at 00:00 UTC: schedules repeat weekly, and a month is its
 * instance-hours × {@link HOURS_PER_MONTH} / 168 (months' different day mixes averaged out).
 */
const REFERENCE_WEEK_MS = Date.UTC(2026, 0, 5);

/** What a pool's warm capacity costs a month while no job uses it. */
export interface WarmCost {
  readonly lines: readonly CostLine[];
  readonly usdPerMonth: number;
}

/**
 * The monthly cost of every pool's configured warm capacity, were no ready instance ever claimed
 * (a claimed one is replaced, so the ready count, and its bill, stays): instance-hours of the
 * schedules × the cheapest of the pool's types at spot ({@link WARM_SPOT_DISCOUNT} off the
 * configured on-demand price), plus each instance's gp3 disk and public IPv4 address.
 */
export function warmCost(config: Readonly<Pick<SpotlabConfig, 'pools' | 'prices'>>): WarmCost {
  const lines = config.pools.flatMap((pool): CostLine[] => {
    if (pool.warm === undefined) return [];
    const hours =
      (warmInstanceHoursPerWeek(warmWindows(pool.warm), REFERENCE_WEEK_MS) * HOURS_PER_MONTH) / 168;
    const cheapest = Math.min(...(pool.instanceTypes ?? []).map((type) => hourlyPrice(config.prices, type)));
    const extras = instanceExtrasUsd(hours * 60, pool.diskSizeGiB);
    const usd = hours * cheapest * (1 - WARM_SPOT_DISCOUNT) + extras.ebs + extras.publicIpv4;
    return [
      {
        item: `warm capacity of pool ${pool.name}`,
        quantity: hours,
        unit: 'instance-hours',
        usdPerMonth: usd,
      },
    ];
  });
  return { lines, usdPerMonth: lines.reduce((sum, l) => sum + l.usdPerMonth, 0) };
}
