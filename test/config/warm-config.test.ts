import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config/load';
import { shipped } from '../support/template';

const schedule = { cron: '0 8 * * 1-5', timeZone: 'Europe/Berlin', durationHours: 11, count: 2 };

/** The shipped configuration with `warm` (and any other keys) on its first pool. */
function withFirstPool(extra: Record<string, unknown>, top: Record<string, unknown> = {}): string {
  const [first, ...rest] = shipped.pools;
  return JSON.stringify({ ...shipped, ...top, pools: [{ ...first, ...extra }, ...rest] });
}

describe('configuration: warm capacity', () => {
  it('is absent by default: every pool scales to zero', () => {
    expect(shipped.pools.every((pool) => pool.warm === undefined)).toBe(true);
  });

  it('takes schedules of cron, time zone, duration and count', () => {
    const config = parseConfig(withFirstPool({ warm: { schedules: [schedule] } }));

    expect(config.pools[0]?.warm).toEqual({ schedules: [schedule] });
  });

  it.each<[string, string, RegExp]>([
    [
      'a count above the pool maxInstances',
      withFirstPool({ maxInstances: 1, warm: { schedules: [schedule] } }),
      /warm\.schedules.*must not exceed the pool's maxInstances \(1\)/s,
    ],
    [
      'an unknown time zone',
      withFirstPool({ warm: { schedules: [{ ...schedule, timeZone: 'Mars/Olympus' }] } }),
      /timeZone.*IANA time zone/s,
    ],
    [
      'a cron expression of four fields',
      withFirstPool({ warm: { schedules: [{ ...schedule, cron: '0 8 * *' }] } }),
      /cron.*five-field/s,
    ],
    [
      'warm counts above the global maxInstances',
      withFirstPool({ warm: { schedules: [{ ...schedule, count: 10 }] } }, { maxInstances: 9 }),
      /warm counts together \(10\) must not exceed the global maxInstances \(9\)/,
    ],
    [
      'a pool that picks types by requirements',
      withFirstPool({
        instanceTypes: undefined,
        instanceRequirements: { vCpuCount: { min: 2 }, memoryMiB: { min: 4096 } },
        warm: { schedules: [schedule] },
      }),
      /warm.*applies only to pools with instanceTypes/s,
    ],
  ])('refuses %s', (_case, text, message) => {
    expect(() => parseConfig(text)).toThrow(message);
  });
});
