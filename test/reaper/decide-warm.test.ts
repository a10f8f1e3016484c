import { describe, expect, it } from 'vitest';
import { decideWarm, WARM_LAUNCHES_PER_SWEEP, type WarmPoolState } from '../../lambdas/reaper/decide-warm';
import type { ReaperInstance } from '../../lambdas/reaper/ports';
import { warmWindows } from '../../lambdas/shared/warm-schedule';

// Monday 2026-11-23 10:00 in Berlin (09:00 UTC): inside a weekday 08:00–19:00 window.
const MONDAY_10_BERLIN = Date.UTC(2026, 10, 23, 9, 0, 0);
// Saturday 2026-11-28 10:00 in Berlin: outside it.
const SATURDAY_10_BERLIN = Date.UTC(2026, 10, 28, 9, 0, 0);
const HOUR = 3_600_000;

const pool = (ready: [string, number][] = [], overrides: Partial<WarmPoolState> = {}): WarmPoolState => ({
  name: 'arm64',
  windows: warmWindows({
    schedules: [{ cron: '0 8 * * 1-5', timeZone: 'Europe/Berlin', durationHours: 11, count: 2 }],
  }),
  maxInstances: 10,
  retireAfterMs: 2 * HOUR,
  roster: { ready: new Map(ready), claimed: new Map() },
  ...overrides,
});

const live = (...ids: string[]): ReaperInstance[] =>
  ids.map((instanceId) => ({ instanceId, pool: 'arm64', instanceType: 'm7g.large', launchedAtMs: 0 }));

describe('deciding warm capacity', () => {
  it('launches the whole count when a window opens', () => {
    expect(decideWarm([pool()], [], 100, MONDAY_10_BERLIN)).toEqual([
      { pool: 'arm64', launch: 2, retire: [], forget: [] },
    ]);
  });

  it('launches only the shortfall and nothing once the count is ready', () => {
    const at = MONDAY_10_BERLIN - 60_000;
    expect(decideWarm([pool([['i-1', at]])], live('i-1'), 100, MONDAY_10_BERLIN)[0]?.launch).toBe(1);
    expect(
      decideWarm(
        [
          pool([
            ['i-1', at],
            ['i-2', at],
          ]),
        ],
        live('i-1', 'i-2'),
        100,
        MONDAY_10_BERLIN,
      )[0]?.launch,
    ).toBe(0);
  });

  it('retires every ready instance outside the windows and launches none', () => {
    const at = SATURDAY_10_BERLIN - HOUR;
    expect(
      decideWarm(
        [
          pool([
            ['i-1', at],
            ['i-2', at],
          ]),
        ],
        live('i-1', 'i-2'),
        100,
        SATURDAY_10_BERLIN,
      ),
    ).toEqual([{ pool: 'arm64', launch: 0, retire: ['i-1', 'i-2'], forget: [] }]);
  });

  it('forgets a ready instance EC2 no longer lists and replaces it', () => {
    const at = MONDAY_10_BERLIN - 10 * 60_000;
    expect(
      decideWarm(
        [
          pool([
            ['i-1', at],
            ['i-gone', at],
          ]),
        ],
        live('i-1'),
        100,
        MONDAY_10_BERLIN,
      ),
    ).toEqual([{ pool: 'arm64', launch: 1, retire: [], forget: ['i-gone'] }]);
  });

  it('keeps an instance launched seconds ago that DescribeInstances does not list yet', () => {
    const plan = decideWarm([pool([['i-new', MONDAY_10_BERLIN - 5_000]])], [], 100, MONDAY_10_BERLIN)[0];
    expect(plan).toEqual({ pool: 'arm64', launch: 1, retire: [], forget: [] });
  });

  it('retires a ready instance too old to run a whole job before its lifetime ends', () => {
    const plan = decideWarm(
      [
        pool([
          ['i-old', MONDAY_10_BERLIN - 3 * HOUR],
          ['i-1', MONDAY_10_BERLIN - HOUR],
        ]),
      ],
      live('i-old', 'i-1'),
      100,
      MONDAY_10_BERLIN,
    )[0];
    expect(plan).toEqual({ pool: 'arm64', launch: 1, retire: ['i-old'], forget: [] });
  });

  it.each<[string, WarmPoolState, ReaperInstance[], number, number]>([
    ['the pool cap', pool([], { maxInstances: 3 }), live('i-a', 'i-b'), 100, 1],
    ['the global cap', pool(), live('i-a', 'i-b', 'i-c'), 4, 1],
    ['a full pool', pool([], { maxInstances: 2 }), live('i-a', 'i-b'), 100, 0],
  ])('counts every live instance towards %s', (_case, state, instances, maxInstances, launch) => {
    expect(decideWarm([state], instances, maxInstances, MONDAY_10_BERLIN)[0]?.launch).toBe(launch);
  });

  it('launches at most a bounded number per sweep across pools', () => {
    const big = (name: string) =>
      pool([], {
        name,
        maxInstances: 100,
        windows: warmWindows({
          schedules: [{ cron: '* * * * *', timeZone: 'UTC', durationHours: 1, count: 15 }],
        }),
      });
    const plans = decideWarm([big('a'), big('b')], [], 1000, MONDAY_10_BERLIN);
    expect(plans.map((p) => p.launch)).toEqual([15, WARM_LAUNCHES_PER_SWEEP - 15]);
  });
});
