import { Prng } from '../../planner/prng';
import {
  type FaultOptions,
  POOLS,
  PROJECTS,
  type Scenario,
  type ScenarioJob,
  type SimPool,
  TAG_MIX,
  TIMES,
} from './scenario';

/** The fault suite's defaults: harsher than GitLab and EC2 on a bad day, to find bugs. */
const FAULT_DEFAULTS = {
  dropRate: 0.2,
  duplicateRate: 0.1,
  reorderRate: 0.05,
  interruptRate: 0.1,
  capacityErrorRate: 0.05,
  gitlabFaultRate: 0.03,
  ec2EventDuplicateRate: 0.05,
  ec2EventDelayRate: 0.05,
  dynamoThrottleRate: 0.02,
  ssmThrottleRate: 0.02,
  runnerSelfDeleteFailRate: 0.05,
} as const;

/**
 * The fault suite's scenario: pipelines of 1–8 jobs start at random times over the arrival span
 * (jobs / 25 minutes by default), in the six {@link PROJECTS}, with tags drawn from {@link TAG_MIX}.
 * Lambda runs two batches of a queue at once, as the stack configures it, unless `concurrency` says
 * otherwise.
 */
export function faultScenario(options: FaultOptions): Scenario {
  const o = { ...FAULT_DEFAULTS, arrivalMinutes: Math.max(5, options.jobs / 25), ...options };
  const concurrency = options.concurrency ?? 2;
  return {
    seed: o.seed,
    pools: withWarm(POOLS, options.warmCount ?? 0, o.arrivalMinutes),
    times: TIMES,
    lambda: {
      maxConcurrency: concurrency,
      latency: options.adapterLatency ?? concurrency > 1,
      sweepOverlapRate: options.sweepOverlapRate ?? (concurrency > 1 ? 0.05 : 0),
    },
    faults: {
      dropRate: o.dropRate,
      duplicateRate: o.duplicateRate,
      reorderRate: o.reorderRate,
      capacityErrorRate: o.capacityErrorRate,
      gitlabFaultRate: o.gitlabFaultRate,
      ec2EventDuplicateRate: o.ec2EventDuplicateRate,
      ec2EventDelayRate: o.ec2EventDelayRate,
      dynamoThrottleRate: o.dynamoThrottleRate,
      ssmThrottleRate: o.ssmThrottleRate,
      runnerSelfDeleteFailRate: o.runnerSelfDeleteFailRate,
    },
    jobs: pipelines(o.seed, o.jobs, o.arrivalMinutes * 60_000, o.interruptRate),
  };
}

// The draws keep the order the fault suite has always used (seed × 4 + 2 is the world's job
// stream), so a seed gives the same jobs, and the same figures, as before scenarios existed.
function pipelines(seed: number, jobs: number, spanMs: number, interruptRate: number): ScenarioJob[] {
  const rng = new Prng(seed * 4 + 2);
  const out: ScenarioJob[] = [];
  while (out.length < jobs) {
    const atMs = Math.floor(rng.next() * spanMs);
    const projectId = rng.pick(PROJECTS);
    const size = Math.min(rng.int(1, 8), jobs - out.length);
    for (let n = 0; n < size; n += 1) {
      out.push({
        atMs,
        projectId,
        tags: rng.pick(TAG_MIX),
        workMs: rng.int(TIMES.jobMinMs, TIMES.jobMaxMs),
        interrupt: rng.chance(interruptRate),
      });
    }
  }
  return out;
}

/**
 * The pools with `count` ready instances each (those with instance types; warm capacity needs
 * them) from the run's start, 09:00 UTC on the simulated clock, for `minutes`.
 */
export function withWarm(pools: readonly SimPool[], count: number, minutes: number): SimPool[] {
  if (count === 0) return [...pools];
  const schedules = [{ cron: '0 9 * * *', timeZone: 'UTC', durationHours: minutes / 60, count }];
  return pools.map((pool) => (pool.instanceTypes === undefined ? pool : { ...pool, warm: { schedules } }));
}
