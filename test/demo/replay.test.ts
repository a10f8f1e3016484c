import { describe, expect, it } from 'vitest';
import type { SimParameters, TraceJob } from '../../planner/model';
import { flatStartup, launchToJobSeconds, STARTUP_PROFILES } from '../../planner/startup-profile';
import { replayTrace } from '../../sim/world/replay';

const T0 = Date.UTC(2026, 0, 5, 9);
const PARAMETERS: SimParameters = {
  seed: 3,
  startup: STARTUP_PROFILES.stock,
  spotDiscount: 0.6,
  interruptRate: 0,
  onDemandUSDPerHour: 0.1,
};

// Two projects, tags of every kind (the replay serves all of them from one pool), 24 jobs in an hour.
const TRACE: TraceJob[] = Array.from({ length: 24 }, (_, i) => ({
  project: 500 + (i % 2),
  createdAtMs: T0 + i * 150_000,
  durationSeconds: 120 + (i % 5) * 60,
  tags: [[], ['docker'], ['gpu', 'saas-linux-large']][i % 3] ?? [],
}));

describe('replayTrace: a trace through Spotlab', () => {
  it('is deterministic for a trace and seed', async () => {
    const parameters = { ...PARAMETERS, interruptRate: 0.3 };

    expect(await replayTrace(TRACE, parameters)).toEqual(await replayTrace(TRACE, parameters));
  });

  it('serves every job, whatever its tags, and leaves nothing behind', async () => {
    const result = await replayTrace(TRACE, PARAMETERS);

    expect(result.name).toBe('Spotlab');
    expect(result.summary).toMatchObject({ jobs: 24, leftovers: 0 });
    expect(result.facts).toMatchObject({ 'jobs succeeded': 24, 'jobs failed': 0 });
  });

  it('makes each job wait about the stock start-up, launch to job running, counted from when it was queued', async () => {
    const queuedLater = TRACE.map((job) => ({ ...job, queuedAtMs: job.createdAtMs + 600_000 }));
    const startup = launchToJobSeconds(STARTUP_PROFILES.stock);

    const result = await replayTrace(queuedLater, PARAMETERS);

    expect(Math.min(...result.waitsSeconds)).toBeGreaterThanOrEqual(startup);
    expect(result.summary.waitP95s).toBeLessThan(startup + 15);
    expect(result.startup?.[0]).toMatchObject({ profile: 'stock', totalSeconds: startup });
  });

  it.each([
    ['baked', STARTUP_PROFILES.baked],
    ['warm', STARTUP_PROFILES.warm],
  ])('makes jobs wait less on a %s start-up than on a stock one', async (_, startup) => {
    const stock = await replayTrace(TRACE, PARAMETERS);

    const faster = await replayTrace(TRACE, { ...PARAMETERS, startup });

    expect(faster.summary.waitP50s).toBeLessThan(stock.summary.waitP50s);
    expect(faster.summary.waitP50s).toBeGreaterThanOrEqual(launchToJobSeconds(startup));
  });

  it('keeps the flat --boot-seconds model: the runner takes its job as it reads its token', async () => {
    const result = await replayTrace(TRACE, { ...PARAMETERS, startup: flatStartup(30) });

    expect(Math.min(...result.waitsSeconds)).toBeGreaterThanOrEqual(30);
    expect(result.summary.waitP95s).toBeLessThan(45);
  });

  it('prices every instance at the given on-demand rate, spot at the discount', async () => {
    const { summary } = await replayTrace(TRACE, PARAMETERS);

    expect(summary.instancesLaunched).toEqual({ spot: 24, onDemand: 0 });
    expect(summary.costUSD).toBeCloseTo((summary.instanceMinutes / 60) * 0.1 * 0.4, 2);
  });

  it('retries the jobs whose spot instance is reclaimed, at the interrupt rate', async () => {
    const result = await replayTrace(TRACE, { ...PARAMETERS, interruptRate: 0.5 });

    expect(result.facts?.['spot interruptions']).toBeGreaterThan(0);
    expect(result.facts).toMatchObject({ 'jobs succeeded': 24 });
  });
});
