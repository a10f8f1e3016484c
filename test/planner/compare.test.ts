import { describe, expect, it } from 'vitest';
import { compare } from '../../planner/compare';
import { DEFAULT_AUTOSCALER, DEFAULT_PARAMETERS } from '../../planner/defaults';
import { arrivalMs } from '../../planner/model';
import { fakeReplay, traceFixture } from './fake-replay';

const alternatives = { autoscaler: { ...DEFAULT_AUTOSCALER, pricing: 'spot' as const } };

describe('compare', () => {
  it('puts Spotlab first, then the always-on runners matching its p95, then the autoscaler', async () => {
    const report = await compare(
      traceFixture('sample'),
      DEFAULT_PARAMETERS,
      alternatives,
      fakeReplay,
      'sample',
    );
    expect(report.scenarios.map((scenario) => scenario.name)).toEqual([
      'Spotlab',
      expect.stringMatching(/^\d+ always-on runners \(matches Spotlab p95\)$/),
      'autoscaler idle_count=5 idle_time=20m max_use_count=1 (spot)',
    ]);
    const [spotlab, matched] = report.scenarios;
    expect(matched?.summary.waitP95s).toBeLessThanOrEqual(spotlab?.summary.waitP95s ?? 0);
    // The simulated start, not the wall clock: the same trace gives the same report.
    const firstArrival = Math.min(...traceFixture('sample').map(arrivalMs));
    expect(report.generatedAt).toBe(new Date(firstArrival).toISOString());
    expect(report.parameters).toMatchObject({ jobs: 194, seed: 1, idleCount: 5 });
    expect(report.parameters.startup).toBe('stock: 54 s launch → job running');
  });

  it('adds the always-on runners asked for when they differ from the matching N', async () => {
    const report = await compare(
      traceFixture('small.csv'),
      DEFAULT_PARAMETERS,
      { ...alternatives, alwaysOn: 1 },
      fakeReplay,
      'small',
    );
    expect(report.scenarios.map((scenario) => scenario.name)).toContain('1 always-on runner');
  });

  it('gives the same report for the same seed', async () => {
    const jobs = traceFixture('sample');
    const first = await compare(jobs, DEFAULT_PARAMETERS, alternatives, fakeReplay, 'sample');
    expect(await compare(jobs, DEFAULT_PARAMETERS, alternatives, fakeReplay, 'sample')).toEqual(first);
  });
});
