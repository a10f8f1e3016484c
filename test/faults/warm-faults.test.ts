import { describe, expect, it } from 'vitest';
import { missedTargets, runFaults } from '../../bench/faults';

describe('fault-injection suite with warm capacity (3 ready instances per pool while pipelines arrive)', () => {
  it('meets every target, with ready instances launched, claimed and none left', async () => {
    const f = await runFaults({ seed: 42, jobs: 150, warmCount: 3 });

    expect(missedTargets(f)).toEqual([]);
    expect(f.stats.warmLaunched).toBeGreaterThan(3);
    expect(f.stats.warmClaimed).toBeGreaterThan(0);
    expect(f.stats.warmClaimed).toBeLessThanOrEqual(f.stats.warmLaunched);
  });

  it('launches no ready instance without warm capacity', async () => {
    const f = await runFaults({ seed: 42, jobs: 150 });

    expect(f.stats).toMatchObject({ warmLaunched: 0, warmClaimed: 0 });
  });
});
