import { routeJob } from '../../lambdas/scale-up/route-job';
import { type RuntimePool, runtimePool } from '../../lambdas/scale-up/runtime-pool';
import { hourlyPrice, type PriceList } from '../../lambdas/shared/prices';
import type { SpotlabConfig } from '../../lib/config/schema';
import { arrivalMs, type SimParameters, type TraceJob } from '../../planner/model';
import { Prng } from '../../planner/prng';
import {
  profileOfPoolImage,
  type StartupProfile,
  simStartupTimes,
  startupBreakdown,
} from '../../planner/startup-profile';
import type { ScenarioResult } from '../../report/model';
import { costBreakdown } from './cost-breakdown';
import { measure, type Pricing, type Sample, watchTimeline } from './measure';
import { runScenario } from './run';
import { NO_FAULTS, type Scenario, type SimPool, TIMES } from './scenario';

/** Timeline points a replay keeps at most (as {@link replayTrace}). */
const MAX_SAMPLES = 600;

/** The parts of a configuration a replay through the operator's own pools reads. */
export type ReplayConfig = Pick<
  SpotlabConfig,
  'pools' | 'maxInstances' | 'maxSpendPerHourUsd' | 'maxInstancesPerProject' | 'prices' | 'shapeTags'
>;

/** The operator's fleet: the configuration, and the on-demand prices of their Region. */
export interface ConfiguredFleet {
  readonly config: Readonly<ReplayConfig>;
  /** On-demand prices in the operator's Region: what instances cost and what the spend cap reads. */
  readonly prices: PriceList;
}

/**
 * Replays a trace through the configuration's pools, instance types and caps (`spotlab simulate
 * --config`): each job is routed by its own tags, as scale-up routes it; a job no pool covers is
 * replayed on the first pool that runs untagged jobs (else the first pool) and counted in
 * `unroutableJobs`. Instances are priced at the Region's on-demand rate of their type, spot
 * `spotDiscount` off; `costBreakdownUSD` adds EBS, public IPv4 and the control plane.
 */
export async function replayConfigured(
  jobs: readonly TraceJob[],
  parameters: SimParameters,
  fleet: ConfiguredFleet,
): Promise<ScenarioResult> {
  const { scenario, unroutable } = configuredScenario(jobs, parameters, fleet);
  const spanMs = scenario.jobs.reduce((end, job) => Math.max(end, job.atMs + job.workMs), 0);
  const everyMs = Math.max(60_000, Math.ceil(spanMs / MAX_SAMPLES / 60_000) * 60_000);
  let samples: Sample[] = [];
  const world = await runScenario(scenario, (w) => {
    samples = watchTimeline(w, everyMs);
  });
  const pricing: Pricing = {
    usdPerHour: (type) => hourlyPrice(fleet.prices, type),
    spotDiscount: parameters.spotDiscount,
  };
  const result = measure(world, 'Spotlab', samples, pricing);
  const disk = new Map(fleet.config.pools.map((p) => [p.name, p.diskSizeGiB]));
  const costBreakdownUSD = costBreakdown(world, pricing, (pool) => disk.get(pool) ?? 0);
  return {
    ...result,
    summary: { ...result.summary, costBreakdownUSD, unroutableJobs: unroutable },
    startup: breakdownByProfile(fleet.config, parameters),
  };
}

/**
 * Each pool's start-up: its own `image` (`baked`, else stock) unless `--image` or
 * `--boot-seconds` chose one profile for every pool.
 */
function poolStartup(pool: { readonly image: string }, parameters: SimParameters): StartupProfile {
  return parameters.startupFromPools === true ? profileOfPoolImage(pool.image) : parameters.startup;
}

function breakdownByProfile(config: Readonly<ReplayConfig>, parameters: SimParameters) {
  const byProfile = new Map<string, { profile: StartupProfile; pools: string[] }>();
  for (const pool of config.pools) {
    const profile = poolStartup(pool, parameters);
    const entry = byProfile.get(profile.name) ?? { profile, pools: [] };
    entry.pools.push(pool.name);
    byProfile.set(profile.name, entry);
  }
  return [...byProfile.values()].map(({ profile, pools }) =>
    startupBreakdown(profile, byProfile.size > 1 ? pools : undefined),
  );
}

/** The scenario a trace replays as on the configured pools, and how many jobs no pool covers. */
export function configuredScenario(
  jobs: readonly TraceJob[],
  parameters: SimParameters,
  { config, prices }: ConfiguredFleet,
): { scenario: Scenario; unroutable: number } {
  const rng = new Prng(parameters.seed);
  const firstMs = jobs.reduce((first, job) => Math.min(first, arrivalMs(job)), Number.POSITIVE_INFINITY);
  const runtime = config.pools.map((pool) => runtimePool(pool, `lt-0${pool.name}`));
  let unroutable = 0;
  const scenarioJobs = jobs.map((job) => {
    const routed = routeJob(job.tags, runtime, config.shapeTags).kind === 'pool';
    if (!routed) unroutable += 1;
    return {
      atMs: arrivalMs(job) - firstMs,
      projectId: job.project,
      tags: routed ? [...job.tags] : fallbackTags(runtime),
      workMs: job.durationSeconds * 1000,
      interrupt: rng.chance(parameters.interruptRate),
    };
  });
  const lastMs = scenarioJobs.reduce((last, job) => Math.max(last, job.atMs), 0);
  const longestMinutes = Math.ceil(
    scenarioJobs.reduce((most, job) => Math.max(most, job.workMs), 0) / 60_000,
  );
  const pools: SimPool[] = config.pools.map((pool, index) => ({
    ...(runtime[index] ?? runtimePool(pool, `lt-0${pool.name}`)),
    idleTimeoutSeconds: pool.idleTimeoutSeconds,
    // As replayTrace: the reaper never cuts a replayed job short.
    maxLifetimeMinutes: Math.max(pool.maxLifetimeMinutes, longestMinutes + 30),
    startup: simStartupTimes(poolStartup(pool, parameters)),
  }));
  const scenario: Scenario = {
    seed: parameters.seed,
    pools,
    times: { ...TIMES, ...simStartupTimes(parameters.startup), limitMs: lastMs + TIMES.limitMs },
    faults: NO_FAULTS,
    jobs: scenarioJobs,
    caps: {
      maxInstances: config.maxInstances,
      maxSpendPerHourUsd: config.maxSpendPerHourUsd,
      maxInstancesPerProject: config.maxInstancesPerProject,
      prices,
    },
  };
  return { scenario, unroutable };
}

/** Tags that reach a pool: none where a pool runs untagged jobs, else the first pool's own. */
function fallbackTags(pools: readonly RuntimePool[]): string[] {
  if (pools.some((pool) => pool.runUntagged)) return [];
  return [...(pools[0]?.tags ?? [])];
}
