import { estimatedSpendPerHour } from '../../lambdas/shared/prices';
import type { SpotlabConfig } from '../../lib/config/schema';
import { idleCost } from '../../lib/cost/idle';
import { warmCost } from '../../lib/cost/warm';
import type { FleetInstance } from '../aws/fleet';
import { isLaunching, type LaunchSwitch } from '../aws/launching';
import type { QueueDepth } from '../aws/queues';
import type { RunnerListing } from '../gitlab/api';

/** What `status` read, each part either read or the reason it could not be. */
export interface StatusFacts {
  readonly stackName: string;
  readonly stackStatus: string;
  readonly fleet: readonly FleetInstance[];
  readonly launching: LaunchSwitch | Error;
  readonly demand: QueueDepth | Error;
  readonly demandDeadLetters: QueueDepth | Error;
  readonly lifecycleDeadLetters: QueueDepth | Error;
  readonly runners: RunnerListing | Error;
}

/** The `status` document: what `--json` prints and the tables render. */
export interface StatusReport {
  readonly stack: { readonly name: string; readonly status: string };
  /** `enabled`, or `drained` after `spotlab drain` (`unknown` when it could not be read). */
  readonly launching: 'enabled' | 'drained' | 'unknown';
  readonly pools: readonly { name: string; maxInstances: number; running: number }[];
  readonly totals: { readonly maxInstances: number; readonly running: number };
  readonly instances: readonly {
    instanceId: string;
    pool: string;
    instanceType: string;
    state: string;
    lifecycle: 'spot' | 'on-demand';
    ageSeconds: number;
    jobId: number | null;
    jobState: string | null;
    jobSource: 'job table' | 'tag' | null;
  }[];
  readonly runners: {
    readonly list: readonly {
      id: number;
      /** The job the runner was created for (`spotlab job <id>`). */
      jobId: number;
      /** The live instance launched for that job, if any. */
      instanceId: string | null;
      status: string;
      paused: boolean;
      instanceLive: boolean;
    }[];
    readonly truncated: boolean;
  } | null;
  readonly queues: {
    readonly demand: QueueDepth | null;
    readonly demandDeadLetters: number | null;
    readonly lifecycleDeadLetters: number | null;
  };
  readonly spend: {
    readonly usdPerHour: number;
    readonly capUsdPerHour: number;
    /** What this configuration costs a month with no job running, list prices (docs/cost.md). */
    readonly idleUsdPerMonth: number;
    /** What the pools' warm capacity costs a month unclaimed (lib/cost/warm.ts); only with some. */
    readonly warmUsdPerMonth?: number;
  };
  /** Parts that could not be read, and anything the operator should look at. */
  readonly problems: readonly string[];
  readonly notes: readonly string[];
}

/** Instances that count against the caps and bill: the reaper counts the same states. */
const COUNTED = new Set(['pending', 'running']);

/** Builds the report; pure, so every output can be tested from plain facts. */
export function buildStatusReport(
  config: Readonly<SpotlabConfig>,
  facts: StatusFacts,
  nowMs: number,
): StatusReport {
  const counted = facts.fleet.filter((i) => COUNTED.has(i.state));
  const running = (pool: string) => counted.filter((i) => i.pool === pool).length;
  const problems: string[] = [];
  const notes: string[] = [];
  const read = <T>(value: T | Error, what: string): T | null => {
    if (!(value instanceof Error)) return value;
    problems.push(`${what}: ${value.message}`);
    return null;
  };
  const launching = read(facts.launching, 'launch switch');
  const runners = read(facts.runners, 'GitLab runners');
  const present = facts.fleet.filter((i) => i.state !== 'shutting-down');
  // A runner is described after the job it was created for, its instance tagged with that job.
  const instanceOfJob = new Map(
    present.flatMap((i) => (i.launchJobId === undefined ? [] : [[i.launchJobId, i.instanceId] as const])),
  );
  const dlq = (depth: QueueDepth | null) =>
    depth === null ? null : depth.waiting + depth.inFlight + depth.delayed;
  const queues = {
    demand: read(facts.demand, 'demand queue'),
    demandDeadLetters: dlq(read(facts.demandDeadLetters, 'demand dead-letter queue')),
    lifecycleDeadLetters: dlq(read(facts.lifecycleDeadLetters, 'lifecycle dead-letter queue')),
  };
  if ((queues.demandDeadLetters ?? 0) + (queues.lifecycleDeadLetters ?? 0) > 0)
    notes.push('messages in a dead-letter queue: a job event failed 5 times; read them in the SQS console');
  if (launching !== null && !isLaunching(launching.state))
    notes.push('launching is drained: run `spotlab resume` to launch again');
  const ghosts = (runners?.runners ?? []).filter((r) => !instanceOfJob.has(r.jobId)).length;
  if (ghosts > 0)
    notes.push(`${ghosts} runner(s) without a live instance: the reaper deletes them within minutes`);
  if (runners?.truncated === true) notes.push('runner list cut at 1,000 runners');
  // Rounded for the table and --json: a sum of float prices carries noise in its last digits.
  const spend = estimatedSpendPerHour(
    config.prices,
    counted.map((i) => i.instanceType),
  );
  const usdPerHour = Math.round(spend * 10_000) / 10_000;
  return {
    stack: { name: facts.stackName, status: facts.stackStatus },
    launching: launching === null ? 'unknown' : isLaunching(launching.state) ? 'enabled' : 'drained',
    pools: config.pools.map((p) => ({
      name: p.name,
      maxInstances: p.maxInstances,
      running: running(p.name),
    })),
    totals: { maxInstances: config.maxInstances, running: counted.length },
    instances: facts.fleet.map((i) => ({
      instanceId: i.instanceId,
      pool: i.pool,
      instanceType: i.instanceType,
      state: i.state,
      lifecycle: i.spot ? 'spot' : 'on-demand',
      ageSeconds: Math.max(0, Math.floor((nowMs - i.launchedAtMs) / 1000)),
      jobId: i.job?.id ?? null,
      jobState: i.job?.state ?? null,
      jobSource: i.job?.source ?? null,
    })),
    runners:
      runners === null
        ? null
        : {
            list: runners.runners.map((r) => ({
              ...r,
              instanceId: instanceOfJob.get(r.jobId) ?? null,
              instanceLive: instanceOfJob.has(r.jobId),
            })),
            truncated: runners.truncated,
          },
    queues,
    spend: {
      usdPerHour,
      capUsdPerHour: config.maxSpendPerHourUsd,
      idleUsdPerMonth: Math.round(idleCost(config).usdPerMonth * 100) / 100,
      ...(config.pools.some((pool) => pool.warm !== undefined)
        ? { warmUsdPerMonth: Math.round(warmCost(config).usdPerMonth * 100) / 100 }
        : {}),
    },
    problems,
    notes,
  };
}
