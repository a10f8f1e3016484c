import { hourlyPrice, type PriceList } from '../../lambdas/shared/prices';
import { billedMinutes, percentile, round } from '../../planner/stats';
import type { ScenarioResult, TimelinePoint } from '../../report/model';
import type { World } from './world';

/** How a run's instances are priced. */
export interface Pricing {
  /** On-demand USD per hour of an instance type. */
  readonly usdPerHour: (instanceType: string) => number;
  /** Spot price as a fraction off on-demand (0.6 = 60% cheaper). */
  readonly spotDiscount: number;
}

/** On-demand list prices of `lambdas/scale-up/prices.ts` (with `prices`' overrides), spot `spotDiscount` off. */
export function listPricing(spotDiscount: number, prices: PriceList = NO_OVERRIDES): Pricing {
  return { usdPerHour: (instanceType) => hourlyPrice(prices, instanceType), spotDiscount };
}

const NO_OVERRIDES: PriceList = { usdPerHour: {}, defaultUsdPerHour: 0.1 };

/** What the world looks like at one instant, for the timeline and the progress lines. */
export interface Sample extends TimelinePoint {
  /** Instances launched since the start. */
  readonly launched: number;
}

/**
 * Samples the world every `everyMs` of simulated time, from its start, without adding events:
 * the world holds still between two events, so each sample is exact. `onSample` sees each one
 * as it is taken (progress output). Call before the first event; the list fills as the run goes.
 */
export function watchTimeline(world: World, everyMs: number, onSample?: (sample: Sample) => void): Sample[] {
  const samples: Sample[] = [];
  const take = (atMs: number) => {
    const sample = {
      atMs: atMs - world.startedAt,
      pendingJobs: world.pending.size,
      runningInstances: world.ec2.running().length,
      launched: world.ec2.instances.size,
    };
    samples.push(sample);
    onSample?.(sample);
  };
  let next = world.startedAt;
  world.scheduler.onAdvance = (_fromMs, toMs) => {
    for (; next <= toMs; next += everyMs) take(next);
  };
  take(next);
  next += everyMs;
  return samples;
}

/** Instances, runners and token parameters still there: Spotlab must leave none. */
export function leftovers(world: World): number {
  return world.ec2.running().length + world.gitlab.runners.size + world.tokens.tokens.size;
}

/**
 * The run as the report shows it. Waits are counted per GitLab job a runner took, retries
 * included (a retried job waits again for its new instance). Instances are billed launch to
 * termination, per second with EC2's one-minute minimum; one still running counts to now.
 */
export function measure(
  world: World,
  name: string,
  samples: readonly Sample[],
  pricing: Pricing,
): ScenarioResult {
  const now = world.scheduler.now;
  const waitsSeconds = [...world.attempts.values()].flatMap((a) =>
    a.startedAt === undefined ? [] : [(a.startedAt - a.createdAt) / 1000],
  );
  const lives = [...world.ec2.instances.values()].map((instance) => {
    const fromMs = instance.launchedAt;
    const toMs = world.vms.get(instance.instanceId)?.endedAt ?? now;
    const spot = instance.lifecycle === 'spot';
    const usdPerMs =
      (pricing.usdPerHour(instance.instanceType) * (spot ? 1 - pricing.spotDiscount : 1)) / 3_600_000;
    return { fromMs, toMs, spot, usdPerMs };
  });
  const usd = (spot: boolean) =>
    lives.filter((l) => l.spot === spot).reduce((sum, l) => sum + billedMinutes(l) * 60_000 * l.usdPerMs, 0);
  const spotUSD = usd(true);
  const onDemandUSD = usd(false);
  const spentBy = spendingCurve(lives);
  const spotCount = lives.filter((l) => l.spot).length;
  return {
    name,
    summary: {
      jobs: world.scenario.jobs.length,
      waitP50s: round(percentile(waitsSeconds, 50)),
      waitP95s: round(percentile(waitsSeconds, 95)),
      instancesLaunched: { spot: spotCount, onDemand: lives.length - spotCount },
      instanceMinutes: round(lives.reduce((sum, l) => sum + billedMinutes(l), 0)),
      costUSD: round(spotUSD + onDemandUSD, 2),
      leftovers: leftovers(world),
    },
    timeline: samples.map(({ atMs, pendingJobs, runningInstances }) => ({
      atMs,
      pendingJobs,
      runningInstances,
      costUSD: round(spentBy(world.startedAt + atMs), 4),
    })),
    waitsSeconds,
    costSplitUSD: { spot: round(spotUSD, 2), onDemand: round(onDemandUSD, 2) },
    facts: facts(world),
  };
}

/**
 * What the instances had cost by each time asked, in ascending order of the times asked (the
 * timeline's samples): one walk of the lives sorted by start and end, not one walk of every
 * instance per sample.
 */
function spendingCurve(
  lives: readonly { readonly fromMs: number; readonly toMs: number; readonly usdPerMs: number }[],
): (atMs: number) => number {
  const starts = [...lives].sort((a, b) => a.fromMs - b.fromMs);
  const ends = [...lives].sort((a, b) => a.toMs - b.toMs);
  let started = 0;
  let ended = 0;
  // Spend of the lives ended by now, and the rate and rate-weighted start of those still going.
  let endedUSD = 0;
  let rate = 0;
  let rateTimesFrom = 0;
  let last = Number.NEGATIVE_INFINITY;
  return (atMs) => {
    if (atMs < last) return spendingCurve(lives)(atMs);
    last = atMs;
    for (; started < starts.length && (starts[started]?.fromMs ?? atMs) < atMs; started += 1) {
      const l = starts[started];
      if (l === undefined || l.toMs <= l.fromMs) continue;
      rate += l.usdPerMs;
      rateTimesFrom += l.usdPerMs * l.fromMs;
    }
    for (; ended < ends.length && (ends[ended]?.toMs ?? atMs) <= atMs; ended += 1) {
      const l = ends[ended];
      if (l === undefined || l.toMs <= l.fromMs) continue;
      // Started before it ended, so before now: it moves from going to ended.
      rate -= l.usdPerMs;
      rateTimesFrom -= l.usdPerMs * l.fromMs;
      endedUSD += (l.toMs - l.fromMs) * l.usdPerMs;
    }
    return endedUSD + rate * atMs - rateTimesFrom;
  };
}

function facts(world: World): Record<string, number> {
  const ended = (status: string) =>
    world.logical.filter((job) => world.status(job.attempts.at(-1) ?? 0) === status).length;
  const s = world.stats;
  return {
    'jobs succeeded': ended('success'),
    'jobs failed': ended('failed') + ended('canceled') + (world.scenario.jobs.length - world.logical.length),
    'GitLab jobs (with retries)': world.attempts.size,
    'spot interruptions': s.interruptions,
    'jobs retried': s.retries,
    'capacity errors': s.capacityErrors,
    'simulated minutes': round((world.scheduler.now - world.startedAt) / 60_000),
  };
}
