import { arrivalMs, type SimParameters, type SpotlabReplay, type TraceJob } from '../../planner/model';
import { Prng } from '../../planner/prng';
import { simStartupTimes, startupBreakdown } from '../../planner/startup-profile';
import { withWarm } from './fault-scenario';
import { measure, type Sample, watchTimeline } from './measure';
import { runScenario } from './run';
import { NO_FAULTS, POOLS, type Scenario, TIMES } from './scenario';

/** Timeline points a replay keeps at most: enough for a chart, few enough to price each one. */
const MAX_SAMPLES = 600;

/**
 * Replays a job trace through Spotlab's real code (webhook routing, scale-up, lifecycle, reaper)
 * on the simulated world, with no fault but the spot interruptions `parameters.interruptRate`
 * draws, and reports it as the `Spotlab` scenario. Every instance costs
 * `parameters.onDemandUSDPerHour`, spot `spotDiscount` off. Deterministic for a trace and seed.
 *
 * Every job is replayed untagged, onto one pool like the bundled arm64 one (takes untagged jobs,
 * falls back to on-demand): a user's pools would cover their jobs' tags, and a runner whose tags
 * cover every job takes any job of its project, just as a runner that runs untagged jobs takes any
 * untagged one. Runners stay locked to the job's project, as Spotlab creates them. At most 300
 * instances run at once; an instance may live as long as the trace's longest job needs.
 */
export const replayTrace: SpotlabReplay = async (jobs, parameters) => {
  const scenario = replayScenario(jobs, parameters);
  const spanMs = scenario.jobs.reduce((end, job) => Math.max(end, job.atMs + job.workMs), 0);
  const everyMs = Math.max(60_000, Math.ceil(spanMs / MAX_SAMPLES / 60_000) * 60_000);
  let samples: Sample[] = [];
  const world = await runScenario(scenario, (w) => {
    samples = watchTimeline(w, everyMs);
  });
  const result = measure(world, 'Spotlab', samples, {
    usdPerHour: () => parameters.onDemandUSDPerHour,
    spotDiscount: parameters.spotDiscount,
  });
  return { ...result, startup: [startupBreakdown(parameters.startup)] };
};

/** The scenario a trace replays as: each job pending at its arrival, relative to the first. */
export function replayScenario(jobs: readonly TraceJob[], parameters: SimParameters): Scenario {
  const rng = new Prng(parameters.seed);
  // reduce, not Math.min(...): a long trace has more jobs than a call has room for arguments.
  const firstMs = jobs.reduce((first, job) => Math.min(first, arrivalMs(job)), Number.POSITIVE_INFINITY);
  const scenarioJobs = jobs.map((job) => ({
    atMs: arrivalMs(job) - firstMs,
    projectId: job.project,
    tags: [],
    workMs: job.durationSeconds * 1000,
    interrupt: rng.chance(parameters.interruptRate),
  }));
  const lastMs = scenarioJobs.reduce((last, job) => Math.max(last, job.atMs), 0);
  const longestMinutes = Math.ceil(
    scenarioJobs.reduce((most, job) => Math.max(most, job.workMs), 0) / 60_000,
  );
  const [base] = POOLS;
  if (base === undefined) throw new Error('the simulated world has no pool');
  // Boot, idle and the job's own end fit in the lifetime: the reaper never cuts a replayed job short.
  const pool = { ...base, maxLifetimeMinutes: Math.max(base.maxLifetimeMinutes, longestMinutes + 30) };
  return {
    seed: parameters.seed,
    // Warm capacity (`--warm N`): a window that opens with the trace and closes after its last arrival.
    pools: withWarm([pool], parameters.warmCount ?? 0, Math.min(lastMs / 60_000 + 1, 7 * 24 * 60)),
    // The run ends once every job has ended; the limit only stops a run that never settles.
    times: { ...TIMES, ...simStartupTimes(parameters.startup), limitMs: lastMs + TIMES.limitMs },
    faults: NO_FAULTS,
    jobs: scenarioJobs,
  };
}
