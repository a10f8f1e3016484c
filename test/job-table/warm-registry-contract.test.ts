import { describe, expect, it } from 'vitest';
import { dynamoWarmRegistry } from '../../lambdas/shared/job-table/dynamo-warm-registry';
import type { WarmRegistry } from '../../lambdas/shared/job-table/warm-registry';
import { warmItemKey } from '../../lambdas/shared/job-table/warm-registry';
import { inMemoryWarmRegistry } from '../../sim/in-memory-warm';
import { jobTable, T0, TABLE } from '../support/job-table';

const dynamo = jobTable();
let pools = 0;
/** Each test takes its own pool, so they share one table. */
const freshPool = () => {
  pools += 1;
  return `warm-${pools}`;
};

describe.each<[string, () => WarmRegistry]>([
  ['dynalite', () => dynamoWarmRegistry(dynamo.dynamo(), TABLE)],
  ['in-memory', () => inMemoryWarmRegistry()],
])('warm registry (%s)', (_name, open) => {
  it('lists ready instances with their launch time, none for a pool never warmed', async () => {
    const registry = open();
    const pool = freshPool();
    expect(await registry.roster(pool)).toEqual({ ready: new Map(), claimed: new Map() });

    await registry.addReady(pool, ['i-0aaa', 'i-0bbb'], T0);

    expect(await registry.roster(pool)).toEqual({
      ready: new Map([
        ['i-0aaa', T0],
        ['i-0bbb', T0],
      ]),
      claimed: new Map(),
    });
  });

  it('lets one claim take a ready instance and refuses the second', async () => {
    const registry = open();
    const pool = freshPool();
    await registry.addReady(pool, ['i-0aaa'], T0);

    const claims = await Promise.all([
      registry.claim(pool, 'i-0aaa', T0 + 5_000),
      registry.claim(pool, 'i-0aaa', T0 + 5_000),
    ]);

    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await registry.roster(pool)).toEqual({
      ready: new Map(),
      claimed: new Map([['i-0aaa', T0 + 5_000]]),
    });
  });

  it('refuses to claim an instance that was never ready', async () => {
    const registry = open();
    const pool = freshPool();
    await registry.addReady(pool, ['i-0aaa'], T0);

    expect(await registry.claim(pool, 'i-0zzz', T0)).toBe(false);
    expect(await registry.claim(freshPool(), 'i-0aaa', T0)).toBe(false);
  });

  it('forgets ready and claimed instances alike', async () => {
    const registry = open();
    const pool = freshPool();
    await registry.addReady(pool, ['i-0aaa', 'i-0bbb', 'i-0ccc'], T0);
    await registry.claim(pool, 'i-0bbb', T0);

    await registry.forget(pool, ['i-0aaa', 'i-0bbb']);

    expect(await registry.roster(pool)).toEqual({ ready: new Map([['i-0ccc', T0]]), claimed: new Map() });
  });
});

describe('warm item key', () => {
  it('is negative, so no GitLab job id can meet it, and differs between pools', () => {
    expect(warmItemKey('arm64')).toBeLessThan(0);
    expect(Number.isSafeInteger(warmItemKey('arm64'))).toBe(true);
    expect(warmItemKey('arm64')).not.toBe(warmItemKey('x86'));
  });
});
