import type { RunReport, ScenarioResult } from '../../report/model';

/** A scenario with a small, hand-made timeline and waits. */
export function scenario(name: string, costUSD = 1.25): ScenarioResult {
  return {
    name,
    summary: {
      jobs: 6,
      waitP50s: 31,
      waitP95s: 95,
      instancesLaunched: { spot: 5, onDemand: 1 },
      instanceMinutes: 42.5,
      costUSD,
      leftovers: 0,
    },
    timeline: [0, 1, 2, 3, 4].map((m) => ({
      atMs: m * 60_000,
      pendingJobs: [0, 4, 2, 1, 0][m] ?? 0,
      runningInstances: [0, 2, 5, 3, 0][m] ?? 0,
      costUSD: m * 0.3,
    })),
    waitsSeconds: [28, 31, 31, 33, 60, 95],
    costSplitUSD: { spot: costUSD - 0.25, onDemand: 0.25 },
    facts: { 'spot interruptions': 1 },
  };
}

/** A report with the given scenarios. */
export function report(...scenarios: ScenarioResult[]): RunReport {
  return {
    title: 'Spotlab test report',
    generatedAt: '2026-11-23T09:00:00.000Z',
    parameters: { seed: 1, 'spot discount': 0.6 },
    scenarios,
  };
}
