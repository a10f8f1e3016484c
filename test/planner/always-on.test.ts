import { describe, expect, it } from 'vitest';
import { simulateAlwaysOn, smallestAlwaysOn } from '../../planner/always-on';
import { DEFAULT_PARAMETERS } from '../../planner/defaults';
import { percentile } from '../../planner/stats';
import { job, traceFixture } from './fake-replay';

const parameters = { ...DEFAULT_PARAMETERS, onDemandUSDPerHour: 0.1 };

describe('simulateAlwaysOn', () => {
  it('runs jobs first come, first served on the earliest free runner', () => {
    const result = simulateAlwaysOn([job(0, 600), job(60, 60), job(120, 60), job(130, 10)], parameters, 2);
    // Runner 2 takes job 2 at 60 s (free at 120), job 3 at 120 s (free at 180), job 4 waits until 180.
    expect(result.waitsSeconds).toEqual([0, 0, 0, 50]);
    expect(result.summary).toMatchObject({ jobs: 4, waitP50s: 0, waitP95s: 50, leftovers: 2 });
  });

  it('bills every runner, on demand, over the whole span of the trace', () => {
    const result = simulateAlwaysOn([job(0, 1800), job(1800, 1800)], parameters, 3);
    expect(result.summary.instancesLaunched).toEqual({ spot: 0, onDemand: 3 });
    expect(result.summary.instanceMinutes).toBe(180);
    expect(result.summary.costUSD).toBe(0.3);
  });

  it('samples pending jobs and running instances every minute', () => {
    const result = simulateAlwaysOn([job(0, 300), job(0, 300)], parameters, 1);
    expect(result.timeline.slice(0, 7).map((point) => point.pendingJobs)).toEqual([1, 1, 1, 1, 1, 0, 0]);
    // The runner ends with the trace, at 600 s: the last sample finds none running.
    expect(result.timeline.map((point) => point.runningInstances)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0]);
    expect(result.timeline[1]?.atMs).toBe(60_000);
  });

  it('counts a job queued after its creation from when it was queued', () => {
    const queued = { ...job(0, 60), queuedAtMs: job(600, 60).createdAtMs };
    expect(simulateAlwaysOn([job(0, 600), queued], parameters, 1).waitsSeconds).toEqual([0, 0]);
  });
});

describe('smallestAlwaysOn', () => {
  it('picks the smallest N whose p95 wait is within the target', () => {
    const jobs = traceFixture('sample');
    for (const target of [0, 30, 120, 600]) {
      const chosen = smallestAlwaysOn(jobs, parameters, target);
      const n = chosen.summary.instancesLaunched.onDemand;
      expect(percentile(chosen.waitsSeconds, 95)).toBeLessThanOrEqual(target);
      if (n > 1)
        expect(percentile(simulateAlwaysOn(jobs, parameters, n - 1).waitsSeconds, 95)).toBeGreaterThan(
          target,
        );
    }
  });

  it('needs as many runners as jobs run at once for a zero p95', () => {
    const jobs = [job(0, 100), job(10, 100), job(20, 100), job(500, 10)];
    expect(smallestAlwaysOn(jobs, parameters, 0).name).toBe('3 always-on runners');
  });
});
