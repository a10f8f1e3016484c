import { describe, expect, it } from 'vitest';
import { missedTargets, runFaults } from '../../bench/faults';
import { simulate } from '../../sim/world/run';

const SCENARIO = { seed: 42, jobs: 150 } as const;

// What seed 42 with 150 jobs gave before Lambda concurrency was modelled (one batch at a time,
// every call answered at once), pinned from that code.
const SEQUENTIAL_FIGURES = {
  jobs: 150,
  completedOnce: 150,
  lost: 0,
  ranTwice: 0,
  instancesLeft: 0,
  runnersLeft: 0,
  tokensLeft: 0,
  spotInstances: 175,
  onDemandInstances: 0,
  gitlabJobs: 161,
  deadLettered: 0,
  invocations: { scaleUp: 147, lifecycle: 540 },
  overlappingInvocations: { scaleUp: 0, lifecycle: 0 },
  simulatedMs: 3_503_000,
  stats: {
    hooks: 483,
    hooksDropped: 111,
    hooksDuplicated: 49,
    hooksLate: 18,
    gitlabFaults: 33,
    capacityErrors: 6,
    interruptions: 13,
    retries: 11,
    requeued: 42,
    displaced: 34,
    reaped: 118,
    stuckFailed: 0,
    killedMidJob: 0,
    spotlabFailures: 93,
    deadInstancesLaunched: 0,
    ec2EventsDuplicated: 24,
    ec2EventsLate: 15,
    dynamoThrottled: 55,
    ssmThrottled: 7,
    runnerSelfDeletesFailed: 2,
    sweepsOverlapped: 0,
  },
  lostBy: {},
};

describe('fault suite with concurrent Lambda invocations', () => {
  it('runs two batches of a queue at once by default, and overlapping sweeps at a high overlap rate', async () => {
    const { world, figures } = await simulate({ ...SCENARIO, sweepOverlapRate: 0.5 });

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

  it('at concurrency 1 gives, to the last figure, what the suite gave before concurrency was modelled', async () => {
    expect(await runFaults({ ...SCENARIO, concurrency: 1 })).toEqual(SEQUENTIAL_FIGURES);
  });
});
