import { describe, expect, it } from 'vitest';
import { allocateCapacity, type GroupDemand } from '../../lambdas/scale-up/capacity';
import type { FleetInstance } from '../../lambdas/scale-up/ports';

const prices = { usdPerHour: {}, defaultUsdPerHour: 1 };
const group = (
  key: string,
  pool: string,
  wanted: number,
  poolMaxInstances = 10,
  unitPriceUsd = 0.1,
): GroupDemand => ({
  key,
  pool,
  wanted,
  poolMaxInstances,
  unitPriceUsd,
});
const running = (pool: string, instanceType = 'm7g.large'): FleetInstance => ({
  instanceId: 'i-1',
  pool,
  instanceType,
  lifecycle: 'spot',
});

describe('allocateCapacity', () => {
  it.each<
    [
      string,
      GroupDemand[],
      FleetInstance[],
      { maxInstances: number; maxSpendPerHourUsd: number },
      Record<string, number>,
    ]
  >([
    [
      'everything when nothing binds',
      [group('a', 'a', 3)],
      [],
      { maxInstances: 10, maxSpendPerHourUsd: 10 },
      { a: 3 },
    ],
    [
      'up to the pool cap',
      [group('a', 'a', 8, 5)],
      [],
      { maxInstances: 10, maxSpendPerHourUsd: 10 },
      { a: 5 },
    ],
    [
      'up to the pool cap minus what runs',
      [group('a', 'a', 8, 5)],
      [running('a'), running('a')],
      { maxInstances: 10, maxSpendPerHourUsd: 10 },
      { a: 3 },
    ],
    [
      'up to the global cap, first group first',
      [group('a', 'a', 4), group('b', 'b', 4)],
      [],
      { maxInstances: 6, maxSpendPerHourUsd: 10 },
      { a: 4, b: 2 },
    ],
    [
      'up to the spend cap',
      [group('a', 'a', 10, 10, 0.25)],
      [],
      { maxInstances: 100, maxSpendPerHourUsd: 1 },
      { a: 4 },
    ],
    [
      'counting running instances at their own price',
      [group('a', 'a', 10, 10, 0.5)],
      [running('a', 'g5.xlarge')],
      { maxInstances: 100, maxSpendPerHourUsd: 2 },
      { a: 1 },
    ],
    [
      'nothing when a cap is already exceeded',
      [group('a', 'a', 3)],
      [running('a'), running('a')],
      { maxInstances: 1, maxSpendPerHourUsd: 10 },
      { a: 0 },
    ],
  ])('allows %s', (_label, groups, live, limits, expected) => {
    expect(Object.fromEntries(allocateCapacity(groups, live, limits, prices))).toEqual(expected);
  });
});
