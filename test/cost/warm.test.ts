import { describe, expect, it } from 'vitest';
import { hourlyPrice } from '../../lambdas/shared/prices';
import { parseConfig } from '../../lib/config/load';
import type { SpotlabConfig } from '../../lib/config/schema';
import { instanceExtrasUsd } from '../../lib/cost/per-job';
import { HOURS_PER_MONTH } from '../../lib/cost/service-prices';
import { WARM_SPOT_DISCOUNT, warmCost } from '../../lib/cost/warm';
import { shipped } from '../support/template';

function withWarm(schedules: unknown[]): Readonly<SpotlabConfig> {
  const [first, ...rest] = shipped.pools;
  return parseConfig(JSON.stringify({ ...shipped, pools: [{ ...first, warm: { schedules } }, ...rest] }));
}

describe('warm capacity cost', () => {
  it('is nothing for a configuration that scales to zero', () => {
    expect(warmCost(shipped)).toEqual({ lines: [], usdPerMonth: 0 });
  });

  it('prices the configured instance-hours at spot, with each instance disk and IPv4 address', () => {
    // Two instances, 08:00–19:00 on weekdays: 2 × 11 h × 5 days = 110 instance-hours a week.
    const config = withWarm([
      { cron: '0 8 * * 1-5', timeZone: 'Europe/Berlin', durationHours: 11, count: 2 },
    ]);
    const pool = config.pools[0];
    const hours = (110 * HOURS_PER_MONTH) / 168;
    const cheapest = Math.min(...(pool?.instanceTypes ?? []).map((t) => hourlyPrice(config.prices, t)));
    const extras = instanceExtrasUsd(hours * 60, pool?.diskSizeGiB ?? 0);

    const cost = warmCost(config);

    expect(cost.lines).toHaveLength(1);
    expect(cost.lines[0]?.quantity).toBeCloseTo(hours, 6);
    expect(cost.usdPerMonth).toBeCloseTo(
      hours * cheapest * (1 - WARM_SPOT_DISCOUNT) + extras.ebs + extras.publicIpv4,
      6,
    );
  });

  it('counts overlapping windows once, at the larger count', () => {
    const day = { cron: '0 8 * * 1-5', timeZone: 'UTC', durationHours: 11, count: 1 };
    const morning = { cron: '0 8 * * 1-5', timeZone: 'UTC', durationHours: 2, count: 3 };

    // 9 h at 1 and 2 h at 3 on each of 5 days: (9 + 6) × 5 = 75 instance-hours a week.
    expect(warmCost(withWarm([day, morning])).lines[0]?.quantity).toBeCloseTo(
      (75 * HOURS_PER_MONTH) / 168,
      6,
    );
  });
});
