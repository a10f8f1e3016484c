import { describe, expect, it } from 'vitest';
import {
  allocateCapacity,
  defaultProjectCap,
  type GroupDemand,
  projectCap,
} from '../../lambdas/scale-up/capacity';
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
    const allowed = allocateCapacity(groups, live, limits, prices);
    expect(Object.fromEntries([...allowed].map(([key, indices]) => [key, indices.length]))).toEqual(expected);
  });
});

describe('allocateCapacity: no project takes more than its share', () => {
  const limits = { maxInstances: 10, maxSpendPerHourUsd: 100, maxInstancesPerProject: 3 };
  const ofProjects = (key: string, projectIds: number[]): GroupDemand => ({
    ...group(key, 'a', projectIds.length),
    projectIds,
  });
  const tagged = (shares: [number, number][]): FleetInstance => ({
    ...running('a'),
    projectShares: new Map(shares),
  });

  it('stops a flooding project at its cap and still launches the next project behind it', () => {
    const allowed = allocateCapacity([ofProjects('a', [7, 7, 7, 7, 7, 8])], [], limits, prices);

    // Indices 3 and 4 (project 7's fourth and fifth jobs) wait; project 8's job goes ahead.
    expect(allowed.get('a')).toEqual([0, 1, 2, 5]);
  });

  it('counts what a project already holds, across groups and by its share of shared launches', () => {
    // Two whole instances of project 7, and two launched for 7 and 9 alike: 7 holds 3.
    const live = [
      tagged([[7, 1]]),
      tagged([[7, 1]]),
      tagged([
        [7, 0.5],
        [9, 0.5],
      ]),
      tagged([
        [7, 0.5],
        [9, 0.5],
      ]),
    ];

    const allowed = allocateCapacity(
      [ofProjects('a', [7, 9]), ofProjects('b', [9, 9])],
      live,
      limits,
      prices,
    );

    expect(allowed.get('a')).toEqual([1]);
    expect(allowed.get('b')).toEqual([0]);
  });

  it('defaults the cap to half the global cap, rounded up', () => {
    expect(projectCap({ maxInstances: 9, maxSpendPerHourUsd: 1 })).toBe(5);
    expect(projectCap({ maxInstances: 9, maxSpendPerHourUsd: 1, maxInstancesPerProject: 9 })).toBe(9);
  });

  it.each<[string, Parameters<typeof defaultProjectCap>[1], number]>([
    ['no allow-list', {}, 5],
    ['an allow-list of one project', { allowedProjects: [380] }, 9],
    ['two projects', { allowedProjects: [380, 412] }, 5],
    ['one project and a namespace', { allowedProjects: [380], allowedNamespaces: ['acme'] }, 5],
    ['a namespace only', { allowedNamespaces: ['acme'] }, 5],
  ])('defaults the cap for %s to %i of 9', (_case, admission, cap) => {
    expect(defaultProjectCap(9, admission)).toBe(cap);
  });
});
