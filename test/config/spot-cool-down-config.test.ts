import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config/load';
import { shipped } from '../support/template';

/** The shipped configuration with `extra` keys on its first pool. */
function withFirstPool(extra: Record<string, unknown>): string {
  const [first, ...rest] = shipped.pools;
  return JSON.stringify({ ...shipped, pools: [{ ...first, ...extra }, ...rest] });
}

describe('configuration: spot cool-down', () => {
  it('is on by default: 3 interruptions within 15 minutes, 30 minutes on-demand', () => {
    expect(shipped.pools.map((pool) => pool.spotCoolDown)).toEqual(
      shipped.pools.map(() => ({ interruptions: 3, windowMinutes: 15, minutes: 30 })),
    );
  });

  it('fills the keys a pool leaves out with their defaults', () => {
    const config = parseConfig(withFirstPool({ spotCoolDown: { minutes: 0 } }));

    expect(config.pools[0]?.spotCoolDown).toEqual({ interruptions: 3, windowMinutes: 15, minutes: 0 });
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['no interruptions', { interruptions: 0 }, /pools\[0\]\.spotCoolDown\.interruptions/],
    ['a window longer than a day', { windowMinutes: 1441 }, /pools\[0\]\.spotCoolDown\.windowMinutes/],
    ['a negative cool-down', { minutes: -1 }, /pools\[0\]\.spotCoolDown\.minutes/],
    ['an unknown key', { interuptions: 3 }, /pools\[0\]\.spotCoolDown.*interuptions/s],
  ])('refuses %s, naming the key', (_, spotCoolDown, message) => {
    expect(() => parseConfig(withFirstPool({ spotCoolDown }))).toThrow(message);
  });
});
