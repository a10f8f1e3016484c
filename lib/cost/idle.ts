import type { SpotlabConfig } from '../config/schema';
import { HOURS_PER_MONTH, SERVICE_PRICES_USD as P } from './service-prices';

/** One line of a cost estimate. */
export interface CostLine {
  readonly item: string;
  readonly quantity: number;
  readonly unit: string;
  readonly usdPerMonth: number;
}

/** What a deployed Spotlab costs a month while no job runs, line by line. */
export interface IdleCost {
  readonly lines: readonly CostLine[];
  /** The sum of the lines, in USD, before any free tier. */
  readonly usdPerMonth: number;
}

/**
 * What no deployment has measured yet (no real account has run Spotlab): the reaper's sweep
 * time and log volume on an empty fleet, and how many pollers Lambda keeps on an empty queue,
 * which AWS does not document. Each is a deliberately high guess.
 */
export interface IdleAssumptions {
  readonly reaperSecondsPerSweep: number;
  readonly reaperLogBytesPerSweep: number;
  readonly reaperReadUnitsPerSweep: number;
  readonly sqsPollersPerQueue: number;
  readonly sqsLongPollSeconds: number;
}

/** The guesses {@link idleCost} uses unless told otherwise. */
export const IDLE_ASSUMPTIONS: IdleAssumptions = {
  /** One sweep of an empty fleet: EC2, the job table, SSM, two GitLab listings. */
  reaperSecondsPerSweep: 1,
  /** START/END/REPORT lines, the "sweep done" line and the EMF document of one sweep. */
  reaperLogBytesPerSweep: 1_500,
  /** An empty Scan of the job table costs at least one read unit. */
  reaperReadUnitsPerSweep: 1,
  /** Lambda's pollers on each event-source queue, each long-polling 20 s at a time. */
  sqsPollersPerQueue: 5,
  sqsLongPollSeconds: 20,
};

/** The reaper's schedule (lib/constructs/reaper.ts) and memory (lib/constructs/spotlab-function.ts). */
const SWEEPS_PER_MONTH = HOURS_PER_MONTH * 60;
const REAPER_MEMORY_GB = 0.5;
/** The Lambdas (webhook, scale-up, lifecycle, reaper): each has an error and a throttle alarm. */
const FUNCTIONS = 4;
/** The demand and lifecycle queues feed Lambdas; each has a dead-letter queue with an alarm. */
const EVENT_SOURCE_QUEUES = 2;
/** GitlabAuthFailures sums one metric of each of scale-up, lifecycle and reaper. */
const GITLAB_AUTH_METRICS = 3;

/**
 * Alarm metrics CloudWatch bills (lib/constructs/monitoring-alarms.ts): spend and instances near
 * the caps, one per dead-letter queue, GitLab auth (a metric-math alarm, billed per metric in it),
 * webhook refusals, errors and throttles per Lambda, job wait per pool, VM start-up (all pools),
 * reaper failures, demand at risk. Every period is 60 s or more: standard resolution.
 */
export function alarmMetricCount(poolCount: number): number {
  return 2 + EVENT_SOURCE_QUEUES + GITLAB_AUTH_METRICS + 1 + 2 * FUNCTIONS + poolCount + 1 + 1 + 1;
}

/**
 * Custom metrics sent while idle: each sweep reports RunningInstances per pool and in total, and
 * EstimatedSpendPerHour, zeros included. The others are sent only when something happens, and a
 * custom metric is billed only for the hours it is sent.
 */
export function idleCustomMetricCount(poolCount: number): number {
  return poolCount + 2;
}

const line = (item: string, quantity: number, unit: string, usdPerMonth: number): CostLine => ({
  item,
  quantity,
  unit,
  usdPerMonth,
});

/**
 * The fixed monthly cost of `config` deployed with no job running, at us-east-1 list prices and
 * before any free tier. Instances, their EBS volumes and public IPv4 addresses cost nothing at
 * idle: none runs. The cache bucket is empty once its objects expire.
 */
export function idleCost(
  config: Readonly<Pick<SpotlabConfig, 'pools'> & { webhook?: Pick<SpotlabConfig['webhook'], 'waf'> }>,
  assume: IdleAssumptions = IDLE_ASSUMPTIONS,
): IdleCost {
  const pools = config.pools.length;
  const sweeps = SWEEPS_PER_MONTH;
  const logGB = (sweeps * assume.reaperLogBytesPerSweep) / 1e9;
  const receives =
    EVENT_SOURCE_QUEUES * assume.sqsPollersPerQueue * (60 / assume.sqsLongPollSeconds) * 60 * HOURS_PER_MONTH;
  const gbSeconds = sweeps * REAPER_MEMORY_GB * assume.reaperSecondsPerSweep;
  const lines = [
    line(
      'CloudWatch alarms',
      alarmMetricCount(pools),
      'alarm metrics',
      alarmMetricCount(pools) * P.alarmMetricMonth,
    ),
    line('CloudWatch dashboard', 1, 'dashboard', P.dashboardMonth),
    line(
      'custom metrics sent while idle',
      idleCustomMetricCount(pools),
      'metrics',
      idleCustomMetricCount(pools) * P.customMetricMonth,
    ),
    line('KMS key of the alarm topic', 1, 'key (first year)', P.kmsKeyMonth),
    line('reaper Lambda', sweeps, 'invocations', sweeps * P.lambdaRequest + gbSeconds * P.lambdaArmGBSecond),
    line('EventBridge Scheduler', sweeps, 'invocations', sweeps * P.schedulerInvocation),
    line('Lambda polling the two queues', receives, 'empty receives', receives * P.sqsRequest),
    line('reaper logs', logGB, 'GB', logGB * P.logIngestGB + logGB * P.logStorageGBMonth),
    line(
      'job table reads',
      sweeps * assume.reaperReadUnitsPerSweep,
      'read units',
      sweeps * assume.reaperReadUnitsPerSweep * P.dynamoReadUnit,
    ),
  ];
  // The web ACL and its one rate-based rule bill by the month, requests or not, and so does the
  // alarm on its blocks (lib/constructs/monitoring-waf-alarm.ts).
  if (config.webhook?.waf !== undefined)
    lines.push(
      line(
        'AWS WAF web ACL, one rule, its alarm',
        1,
        'web ACL',
        P.wafWebAclMonth + P.wafRuleMonth + P.alarmMetricMonth,
      ),
    );
  return { lines, usdPerMonth: lines.reduce((sum, l) => sum + l.usdPerMonth, 0) };
}
