import { describe, expect, it } from 'vitest';
import { keyedCachedLoader } from '../../lambdas/shared/ttl-cache';

describe('keyedCachedLoader', () => {
  it('loads each key once within its TTL and again after it', async () => {
    let at = 0;
    const loads: number[] = [];
    const load = keyedCachedLoader(
      async (key: number) => {
        loads.push(key);
        return key * 2;
      },
      1000,
      () => at,
    );

    expect(await Promise.all([load(1), load(1), load(2)])).toEqual([2, 2, 4]);
    at = 1000;
    await load(1);

    expect(loads).toEqual([1, 2, 1]);
  });

  it('keeps at most maxEntries keys, dropping the oldest', async () => {
    const loads: number[] = [];
    const load = keyedCachedLoader(
      async (key: number) => {
        loads.push(key);
        return key;
      },
      60_000,
      () => 0,
      2,
    );

    for (const key of [1, 2, 3, 1]) await load(key);

    expect(loads).toEqual([1, 2, 3, 1]);
  });
});
