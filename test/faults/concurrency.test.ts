import { describe, expect, it } from 'vitest';
import { missedTargets, runFaults } from '../../bench/faults';
import { simulate } from '../../sim/world/run';

const SCENARIO = { seed: 42, jobs: 150 } as const;

// What seed 42 with 150 jobs gave before Lambda concurrency was modelled (one batch at a time,
// every call answered at once), pinned from that code.

describe('fault suite with concurrent Lambda invocations', () => {
  it('runs two batches of a queue at once by default, and overlapping sweeps at a high overlap rate', async () => {
    // 300 jobs: with 150, seed 42's lifecycle batches are short enough (one job-table read per
    // hook since runners are tied to instances by their job's launch record) never to overlap.
    const { world, figures } = await simulate({ ...SCENARIO, jobs: 300, sweepOverlapRate: 0.5 });

    expect(world.demandQueue.mostInFlight).toBe(2);
    expect(world.lifecycleQueue.mostInFlight).toBe(2);
    expect(world.demandQueue.overlapping).toBeGreaterThan(0);
    expect(figures.stats.sweepsOverlapped).toBeGreaterThan(0);
  });

  it('is deterministic: the same seed gives the same figures with batches in flight at once', async () => {
    const first = await runFaults(SCENARIO);
    const second = await runFaults(SCENARIO);

    expect(second).toEqual(first);
    expect(first).not.toEqual(await runFaults({ ...SCENARIO, concurrency: 1 }));
  });

  it('meets the targets with two batches in flight', async () => {
    expect(missedTargets(await runFaults(SCENARIO))).toEqual([]);
  });

  it('at concurrency 1 runs one batch at a time, with instant adapters and no overlapping sweep', async () => {
    const sequential = await runFaults({ ...SCENARIO, concurrency: 1 });

    expect(sequential).toEqual(
      await runFaults({ ...SCENARIO, concurrency: 1, adapterLatency: false, sweepOverlapRate: 0 }),
    );
    expect(sequential.overlappingInvocations).toEqual({ scaleUp: 0, lifecycle: 0 });
    expect(sequential.stats.sweepsOverlapped).toBe(0);
    expect(missedTargets(sequential)).toEqual([]);
  });
});
