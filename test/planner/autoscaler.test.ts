import { describe, expect, it } from 'vitest';
import { type AutoscalerPolicy, simulateAutoscaler } from '../../planner/autoscaler/simulate';
import { DEFAULT_PARAMETERS } from '../../planner/defaults';
import { flatStartup, launchToReadySeconds, STARTUP_PROFILES } from '../../planner/startup-profile';
import { job, traceFixture } from './fake-replay';

// A flat 30 s start-up keeps the figures round; the stock profile is checked on its own below.
const parameters = {
  ...DEFAULT_PARAMETERS,
  startup: flatStartup(30),
  onDemandUSDPerHour: 0.1,
  interruptRate: 0.2,
};
const policy: AutoscalerPolicy = {
  idleCount: 2,
  idleTimeSeconds: 600,
  maxUseCount: 1,
  managerUSDPerHour: 0,
  pricing: 'on-demand',
};

describe('simulateAutoscaler', () => {
  it('serves the first idle_count jobs from the warm pool and makes the next wait for a boot', () => {
    const result = simulateAutoscaler([job(0, 60), job(0, 60), job(0, 60)], parameters, policy);
    expect(result.waitsSeconds).toEqual([0, 0, 30]);
    expect(result.name).toBe('autoscaler idle_count=2 idle_time=10m max_use_count=1 (on-demand)');
  });

  it("makes a job beyond the idle pool wait the start-up profile's launch → runner asking", () => {
    const stock = { ...parameters, startup: STARTUP_PROFILES.stock };

    const result = simulateAutoscaler([job(0, 60), job(0, 60), job(0, 60)], stock, policy);

    expect(result.waitsSeconds).toEqual([0, 0, launchToReadySeconds(STARTUP_PROFILES.stock)]);
  });

  it('removes an instance after max_use_count jobs and boots a replacement to keep idle_count', () => {
    // Two jobs 5 minutes apart: the pool has refilled in between, so neither waits.
    const result = simulateAutoscaler(
      [job(0, 60), job(0, 60), job(300, 60), job(300, 60)],
      parameters,
      policy,
    );
    expect(result.waitsSeconds).toEqual([0, 0, 0, 0]);
    // 2 warm + 2 replacements after the first pair + 2 after the second pair (cut at the end).
    expect(result.summary.instancesLaunched).toEqual({ spot: 0, onDemand: 6 });
  });

  it('reuses an instance while max_use_count allows, and keeps it past idle_time only as idle_count', () => {
    const reuse = { ...policy, idleCount: 1, maxUseCount: 0 };
    // A burst of 3 on a pool of 1 launches 3 (2 for the waiting jobs, 1 to stay idle): 4 instances,
    // all idle once the burst is done; after idle_time the pool shrinks back to idle_count.
    const jobs = [job(0, 60), job(0, 60), job(0, 60), job(3600, 60)];
    const result = simulateAutoscaler(jobs, parameters, reuse);
    expect(result.waitsSeconds).toEqual([0, 30, 30, 0]);
    const runningAt = (seconds: number) =>
      result.timeline.find((point) => point.atMs === seconds * 1000)?.runningInstances;
    expect(runningAt(120)).toBe(4);
    expect(runningAt(1200)).toBe(1);
    // The last job took the idle instance and a replacement booted: both are up when the trace ends.
    expect(result.summary.leftovers).toBe(2);
  });

  it('adds the always-on manager VM to the cost', () => {
    const jobs = [job(0, 3600)];
    const without = simulateAutoscaler(jobs, parameters, policy).summary.costUSD;
    const withManager = simulateAutoscaler(jobs, parameters, { ...policy, managerUSDPerHour: 0.05 }).summary
      .costUSD;
    expect(withManager - without).toBeCloseTo(0.05, 2);
  });

  it('gives the same figures for the same seed, and interrupts spot jobs differently for another seed', () => {
    const jobs = traceFixture('sample');
    const spot = { ...policy, pricing: 'spot' as const };
    const first = simulateAutoscaler(jobs, parameters, spot);
    expect(simulateAutoscaler(jobs, parameters, spot)).toEqual(first);
    expect(simulateAutoscaler(jobs, { ...parameters, seed: 2 }, spot).summary).not.toEqual(first.summary);
    expect(first.summary.instancesLaunched.spot).toBeGreaterThan(0);
  });

  it('requeues a job whose spot instance was interrupted, on another instance', () => {
    const spot = { ...policy, pricing: 'spot' as const };
    const result = simulateAutoscaler([job(0, 600)], { ...parameters, interruptRate: 0.5, seed: 7 }, spot);
    expect(result.summary.jobs).toBe(1);
    expect(result.summary.instancesLaunched.spot).toBeGreaterThan(2);
  });
});
