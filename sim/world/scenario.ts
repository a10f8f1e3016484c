import type { RuntimePool } from '../../lambdas/scale-up/runtime-pool';
import type { PriceList } from '../../lambdas/shared/prices';
import type { SimStartupTimes } from '../../planner/startup-profile';
import { dockerPool } from '../pools';

/** The faults and size of a fault-suite run; rates are per event of their kind. */
export interface FaultOptions {
  readonly seed: number;
  /** Logical jobs (a job and its retries count as one). */
  readonly jobs: number;
  /** Job Hook deliveries GitLab never makes. @default 0.2 */
  readonly dropRate?: number;
  /** Job Hooks delivered twice. @default 0.1 */
  readonly duplicateRate?: number;
  /** Job Hooks delivered late, after later hooks of the same job. @default 0.05 */
  readonly reorderRate?: number;
  /** Jobs whose spot instance EC2 reclaims mid-job. @default 0.1 */
  readonly interruptRate?: number;
  /** Spot CreateFleet calls short of capacity (InsufficientInstanceCapacity). @default 0.05 */
  readonly capacityErrorRate?: number;
  /** Spotlab's GitLab API calls answered 429/500/502/503 (after the adapter's own retries). @default 0.03 */
  readonly gitlabFaultRate?: number;
  /** EC2 events (spot warnings, state changes) EventBridge delivers twice. @default 0.05 */
  readonly ec2EventDuplicateRate?: number;
  /** EC2 events EventBridge delivers 30–120 s late. @default 0.05 */
  readonly ec2EventDelayRate?: number;
  /** Job table calls by scale-up, the lifecycle and the reaper that fail throttled. @default 0.02 */
  readonly dynamoThrottleRate?: number;
  /** Token parameter puts and deletes by Spotlab that fail (ThrottlingException). @default 0.02 */
  readonly ssmThrottleRate?: number;
  /** VMs whose own runner deletion at exit fails, leaving the runner registered. @default 0.05 */
  readonly runnerSelfDeleteFailRate?: number;
  /**
   * Ready instances per pool (warm capacity) while pipelines arrive: a window that opens with the
   * run and closes when the last pipeline has started. @default 0 (scale to zero)
   */
  readonly warmCount?: number;
  /** Minutes over which pipelines start. @default jobs / 25 */
  readonly arrivalMinutes?: number;
  /**
   * Batches of one queue Lambda runs at once, as the stack's MaximumConcurrency allows; 1 is the
   * model every figure was first measured with (one batch at a time, every call answered at once).
   * @default 2
   */
  readonly concurrency?: number;
  /** Each call of a Lambda to EC2, GitLab, SSM, SQS or the job table takes its latency. @default concurrency > 1 */
  readonly adapterLatency?: boolean;
  /** Reaper sweeps that start while the previous one still runs. @default 0.05, or 0 at concurrency 1 */
  readonly sweepOverlapRate?: number;
}

/** How Lambda runs Spotlab's consumers (see {@link SEQUENTIAL_LAMBDA}). */
export interface LambdaModel {
  /** Batches of one queue in flight at once: the event source mapping's MaximumConcurrency. */
  readonly maxConcurrency: number;
  /**
   * Every call of a Lambda to its adapters answers after its latency (`LATENCY_MS`, ±50%) instead of
   * at once: invocations in flight then interleave at their awaits. On whenever `maxConcurrency` > 1.
   */
  readonly latency: boolean;
  /**
   * Reaper sweeps EventBridge Scheduler delivers late, just before the next one starts, so that the
   * two overlap (a sweep may run 50 s; the schedule fires every minute whatever runs).
   */
  readonly sweepOverlapRate: number;
}

/** One batch at a time, each to its end, every call answered at once: the demo's and the replay's model. */
export const SEQUENTIAL_LAMBDA: LambdaModel = { maxConcurrency: 1, latency: false, sweepOverlapRate: 0 };

/** Fault rates of a scenario, per event of their kind (0 turns a fault off). */
export interface FaultRates {
  /** Job Hook deliveries GitLab never makes. */
  readonly dropRate: number;
  /** Job Hooks delivered twice. */
  readonly duplicateRate: number;
  /** Job Hooks delivered late, after later hooks of the same job. */
  readonly reorderRate: number;
  /** Spot CreateFleet calls short of capacity (InsufficientInstanceCapacity). */
  readonly capacityErrorRate: number;
  /** Spotlab's GitLab API calls answered 429/500/502/503 (after the adapter's own retries). */
  readonly gitlabFaultRate: number;
  /**
   * EC2 events (spot warnings, state changes) EventBridge delivers twice: its delivery to SQS is
   * at least once. The copy arrives 1–60 s after the first. @default 0
   */
  readonly ec2EventDuplicateRate?: number;
  /**
   * EC2 events EventBridge delivers 30–120 s late (after later events). Never dropped: EventBridge
   * retries delivery to SQS for 24 h. @default 0
   */
  readonly ec2EventDelayRate?: number;
  /**
   * Job table calls by scale-up, the lifecycle and the reaper that fail with a throttling error
   * (after the SDK's own retries) and write nothing. @default 0
   */
  readonly dynamoThrottleRate?: number;
  /** Token parameter puts and deletes by Spotlab's Lambdas that fail (ThrottlingException). @default 0 */
  readonly ssmThrottleRate?: number;
  /**
   * VMs whose `DELETE /api/v4/runners` at exit fails (after curl's retries): the runner stays
   * registered, and the VM powers off all the same. @default 0
   */
  readonly runnerSelfDeleteFailRate?: number;
}

/** No faults at all: every hook delivered once, in order; EC2 and GitLab always answer. */
export const NO_FAULTS: FaultRates = {
  dropRate: 0,
  duplicateRate: 0,
  reorderRate: 0,
  capacityErrorRate: 0,
  gitlabFaultRate: 0,
  ec2EventDuplicateRate: 0,
  ec2EventDelayRate: 0,
  dynamoThrottleRate: 0,
  ssmThrottleRate: 0,
  runnerSelfDeleteFailRate: 0,
};

/** One job a scenario creates: when it becomes pending, where, and how long its script runs. */
export interface ScenarioJob {
  /** When GitLab creates it, pending, in ms after the run starts. */
  readonly atMs: number;
  readonly projectId: number;
  /** Its `tags:`; empty when untagged. */
  readonly tags: readonly string[];
  /** The script's own run time once a runner took it. */
  readonly workMs: number;
  /** EC2 reclaims its spot instance mid-job the first time it runs on spot. */
  readonly interrupt: boolean;
}

/** A spot CreateFleet call that falls short of capacity whatever the rate: the `nth` (1-based) for `pool`. */
export interface CapacityError {
  readonly pool: string;
  readonly nth: number;
}

/** Simulated times of a scenario, in milliseconds (see {@link TIMES}). */
export type SimTimes = { readonly [K in keyof typeof TIMES]: number };

/**
 * Everything one simulated run depends on: the same scenario gives the same run to the last
 * figure. The fault suite builds one from {@link FaultOptions}; the demo and the trace replay
 * build their own.
 */
export interface Scenario {
  /** Seeds the hook, GitLab and EC2 faults. */
  readonly seed: number;
  /**
   * What each pool's VMs do (idle timeout, lifetime). Scale-up and the reaper read `POOLS` until
   * `sim/world/spotlab.ts` reads the scenario's: the run refuses other pools meanwhile.
   */
  readonly pools: readonly SimPool[];
  readonly times: SimTimes;
  readonly faults: FaultRates;
  /** How Lambda runs scale-up, the lifecycle and the reaper. @default {@link SEQUENTIAL_LAMBDA} */
  readonly lambda?: LambdaModel;
  /** Capacity errors that happen whatever `faults.capacityErrorRate` draws. @default none */
  readonly capacityErrors?: readonly CapacityError[];
  /** The jobs, in creation order (ties keep this order). */
  readonly jobs: readonly ScenarioJob[];
  /**
   * The global caps and the prices the spend cap reads, as a configuration sets them
   * (`spotlab simulate --config`). @default 500 instances, 1,000 USD/h, every type at 0.1 USD/h
   */
  readonly caps?: ScenarioCaps;
}

/** A configuration's global caps, and the price list its spend cap reads. */
export interface ScenarioCaps {
  readonly maxInstances: number;
  readonly maxSpendPerHourUsd: number;
  /** @default half of `maxInstances`, rounded up, as scale-up reads it */
  readonly maxInstancesPerProject?: number;
  readonly prices: PriceList;
}

/** A pool of the scenario: what scale-up reads, and how its VMs behave. */
export interface SimPool extends RuntimePool {
  readonly idleTimeoutSeconds: number;
  readonly maxLifetimeMinutes: number;
  /** This pool's start-up (its configured `image`). @default the scenario's `times` */
  readonly startup?: SimStartupTimes;
}

const docker = (
  name: string,
  architecture: 'arm64' | 'x86_64',
  types: string[],
  runUntagged: boolean,
  onDemandFallback: boolean,
  idleTimeoutSeconds: number,
): SimPool => ({
  ...dockerPool(name, architecture, types, { runUntagged, onDemandFallback }),
  idleTimeoutSeconds,
  maxLifetimeMinutes: 120,
});

/** Two pools: arm64 takes untagged jobs and falls back on demand; x86 waits for spot instead. */
export const POOLS: readonly SimPool[] = [
  docker('arm64-docker', 'arm64', ['m7g.large', 'c7g.large'], true, true, 300),
  docker('x86-docker', 'x86_64', ['m7i.large', 'c7i.large'], false, false, 600),
];

/** Tag sets of `.gitlab-ci.yml` jobs; untagged and plain `docker` jobs land on the arm64 pool. */
export const TAG_MIX: readonly (readonly string[])[] = [
  [],
  ['docker'],
  ['docker', 'arm64'],
  ['linux', 'arm64'],
  ['x86_64'],
  ['docker', 'x86_64'],
];

/** Projects the jobs belong to (runners are locked to the project that asked). */
export const PROJECTS: readonly number[] = [101, 102, 103, 104, 105, 106];

export const STACK = 'spotlab-faults';
/** GitLab job ids (above 2^31, as on GitLab.com); each new job, retries too, gets the next id. */
export const FIRST_JOB_ID = 7_000_000_000;

/** Simulated times, in milliseconds. */
export const TIMES = {
  /** Launch to the bootstrap reading its token (planner/startup-profile.ts: running, boot, token). */
  bootMs: 25_000,
  /**
   * Token read to the runner taking its job (tools, runner, job). 0 here: the fault suite's
   * VMs take their job as they read their token; replays and the demo set the profile's.
   */
  readyMs: 0,
  /** Between token reads while the parameter is not there yet. */
  tokenRetryMs: 15_000,
  /** Token reads before a VM gives up and powers off. */
  tokenReads: 20,
  /** A job's own work. */
  jobMinMs: 60_000,
  jobMaxMs: 12 * 60_000,
  /** `success` to the VM's runner deletion and power-off. */
  exitMs: 3_000,
  /** Spot warning to EC2 reclaiming the instance. */
  spotNoticeMs: 120_000,
  /** A runner's instance gone to GitLab failing its job (runner_system_failure). */
  lostRunnerMs: 180_000,
  /** A pending job with no runner fails after this (counted lost). */
  stuckMs: 3_600_000,
  /** GitLab's webhook latency, min and max. */
  hookMinMs: 200,
  hookMaxMs: 2_000,
  /** How late an out-of-order hook arrives. */
  lateMinMs: 30_000,
  lateMaxMs: 240_000,
  /** How late a delayed EC2 event arrives (EventBridge's delivery retries). */
  eventLateMinMs: 30_000,
  eventLateMaxMs: 120_000,
  /** How long after the first delivery EventBridge's duplicate of an EC2 event arrives. */
  eventCopyMinMs: 1_000,
  eventCopyMaxMs: 60_000,
  /** EC2 state-change events after the instance stops: shutting-down, then terminated. */
  shuttingDownMs: 1_000,
  terminatedMs: 40_000,
  /** Event source polls and reaper sweeps. */
  pollMs: 1_000,
  sweepMs: 60_000,
  /** Sweeps kept going once every job is settled. */
  afterMs: 20 * 60_000,
  /** The run stops here whatever happens. */
  limitMs: 10 * 3_600_000,
} as const;
