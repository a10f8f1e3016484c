import { DEFAULT_PARAMETERS } from '../planner/defaults';
import type { RunReport, ScenarioResult } from '../report/model';
import { listPricing, measure, type Sample, watchTimeline } from '../sim/world/measure';
import { runScenario } from '../sim/world/run';
import type { Scenario } from '../sim/world/scenario';

/** How a demo run samples and reports. */
export interface DemoRunOptions {
  /** Timeline sampling, simulated ms. @default 30 s */
  readonly sampleEveryMs?: number;
  /** Told of each sample as the run takes it. */
  readonly onSample?: (sample: Sample) => void;
  /** Spot price as a fraction off on-demand. @default planner/defaults.ts */
  readonly spotDiscount?: number;
}

/** What a demo run produced: the report, and its one scenario (Spotlab's). */
export interface DemoRun {
  readonly report: RunReport;
  readonly result: ScenarioResult;
}

/**
 * Runs `scenario` through Spotlab's real webhook routing, scale-up, lifecycle and reaper code on
 * the simulated world, and measures it for the report. Deterministic: the same scenario gives the
 * same report, down to `generatedAt` (the simulated start).
 */
export async function runDemo(scenario: Scenario, options: DemoRunOptions = {}): Promise<DemoRun> {
  const spotDiscount = options.spotDiscount ?? DEFAULT_PARAMETERS.spotDiscount;
  let samples: Sample[] = [];
  const world = await runScenario(scenario, (w) => {
    samples = watchTimeline(w, options.sampleEveryMs ?? 30_000, options.onSample);
  });
  const result = measure(world, 'Spotlab', samples, listPricing(spotDiscount));
  const f = scenario.faults;
  const report: RunReport = {
    title: 'Spotlab demo: a morning burst of merge-request pipelines',
    generatedAt: new Date(world.startedAt).toISOString(),
    parameters: {
      seed: scenario.seed,
      jobs: scenario.jobs.length,
      pools: scenario.pools.map((p) => `${p.name} (${(p.instanceTypes ?? []).join(', ')})`).join('; '),
      'start-up (s)': `launch → token read ${scenario.times.bootMs / 1000}, token read → job running ${scenario.times.readyMs / 1000}`,
      'spot discount': spotDiscount,
      prices: 'on-demand list prices, us-east-1 (lambdas/scale-up/prices.ts)',
      'job hooks twice / late / dropped': `${f.duplicateRate} / ${f.reorderRate} / ${f.dropRate}`,
      'forced capacity errors': (scenario.capacityErrors ?? []).length,
    },
    scenarios: [result],
  };
  return { report, result };
}
