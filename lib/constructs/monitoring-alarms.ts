import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IAlarmAction,
  type IMetric,
  MathExpression,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { Metric, Service, StartupStage } from '../../lambdas/shared/metric-names';
import type { SpotlabConfig } from '../config/schema';
import { type ServiceName, spotlabMetric, startupMetric } from './monitoring-metrics';
import { wafBlocksAlarm } from './monitoring-waf-alarm';
import type { MetricNamespaces } from './spotlab-name';
import type { WafMetricNames } from './webhook-waf';

/** The parts of the configuration the alarms read. */
export type AlarmsConfig = Pick<SpotlabConfig, 'pools' | 'maxInstances' | 'maxSpendPerHourUsd' | 'alarms'>;

/** What the alarms watch and where they report. */
export interface AlarmInputs {
  readonly config: Readonly<AlarmsConfig>;
  /** Every Spotlab Lambda, by the `service` it emits metrics as. */
  readonly functions: Readonly<Record<ServiceName, IFunction>>;
  /** The dead-letter queues, by a short name used in the alarm's name (`demand`, `lifecycle`). */
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  /** Notified when an alarm fires and when it clears. */
  readonly action: IAlarmAction;
  /** Prefix of every alarm name (the stack name): alarm names are unique per account and Region. */
  readonly namePrefix: string;
  /** Where this Spotlab's metrics are (another Spotlab's are in another namespace). */
  readonly namespaces: MetricNamespaces;
  /** The webhook's WAF metrics, when `webhook.waf` is set: its blocks are alarmed. */
  readonly wafMetrics?: WafMetricNames;
}

/** The documentation an alarm's description points at. */
const RUNBOOK = 'See docs/observability.md';
const FIVE_MINUTES = Duration.minutes(5);

/**
 * The reaper reports spend and running instances once a minute: an alarm needs 8 of the last 10
 * minutes above its threshold, so a burst that the caps already bound does not page anyone.
 */
const SUSTAINED = { evaluationPeriods: 10, datapointsToAlarm: 8 } as const;

/** Creates every Spotlab alarm, each notifying `action` when it fires and when it clears. */
export function createAlarms(scope: Construct, inputs: AlarmInputs): Alarm[] {
  const alarms = [
    ...capacityAlarms(scope, inputs),
    ...queueAlarms(scope, inputs),
    ...gitlabAndWebhookAlarms(scope, inputs),
    ...lambdaAlarms(scope, inputs),
    ...jobWaitAlarms(scope, inputs),
    startupAlarm(scope, inputs),
    reaperFailuresAlarm(scope, inputs),
    demandAtRiskAlarm(scope, inputs),
    ...(inputs.wafMetrics === undefined ? [] : [wafBlocksAlarm(scope, inputs.wafMetrics, inputs.namePrefix)]),
  ];
  for (const alarm of alarms) {
    alarm.addAlarmAction(inputs.action);
    alarm.addOkAction(inputs.action);
  }
  return alarms;
}

function capacityAlarms(scope: Construct, { config, namePrefix, namespaces: ns }: AlarmInputs): Alarm[] {
  const { spendPercentOfCap, instancesPercentOfCap } = config.alarms;
  // Missing data is not breaching: the reaper reports every minute, zeros included, so a gap is a
  // failed sweep, which the reaper's error alarm reports; an unknown spend is not a high one.
  return [
    new Alarm(scope, 'SpendNearCap', {
      alarmName: `${namePrefix}-spend-near-cap`,
      alarmDescription:
        `Estimated spend above ${spendPercentOfCap}% of maxSpendPerHourUsd (${config.maxSpendPerHourUsd} USD/h): ` +
        `launches will soon wait on the spend cap. ${RUNBOOK}#spend-near-cap`,
      metric: spotlabMetric(
        ns,
        Metric.estimatedSpendPerHour,
        Service.reaper,
        {},
        {
          statistic: Stats.MAXIMUM,
          period: Duration.minutes(1),
        },
      ),
      threshold: (config.maxSpendPerHourUsd * spendPercentOfCap) / 100,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      ...SUSTAINED,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }),
    new Alarm(scope, 'InstancesNearCap', {
      alarmName: `${namePrefix}-instances-near-cap`,
      alarmDescription:
        `Running instances at ${instancesPercentOfCap}% of maxInstances (${config.maxInstances}): ` +
        `launches will soon wait on the instance cap. ${RUNBOOK}#instances-near-cap`,
      metric: totalRunningInstances(ns),
      threshold: (config.maxInstances * instancesPercentOfCap) / 100,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      ...SUSTAINED,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }),
  ];
}

/** Instances across pools: the reaper's total, its highest report of the minute (two sweeps may land in one). */
function totalRunningInstances(ns: MetricNamespaces): IMetric {
  return spotlabMetric(
    ns,
    Metric.runningInstances,
    Service.reaper,
    {},
    {
      statistic: Stats.MAXIMUM,
      period: Duration.minutes(1),
    },
  );
}

function queueAlarms(scope: Construct, { deadLetterQueues, namePrefix }: AlarmInputs): Alarm[] {
  return Object.entries(deadLetterQueues).map(
    ([name, queue]) =>
      new Alarm(scope, `DeadLetters-${name}`, {
        alarmName: `${namePrefix}-${name}-dead-letters`,
        alarmDescription:
          `A ${name} message failed 5 receives and waits in its dead-letter queue. ` +
          `${RUNBOOK}#dead-letters`,
        metric: queue.metricApproximateNumberOfMessagesVisible({
          statistic: Stats.MAXIMUM,
          period: FIVE_MINUTES,
        }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        // SQS stops reporting a queue that stays empty and untouched for six hours; a queue that
        // holds a message keeps reporting, so missing data means empty.
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
  );
}

function gitlabAndWebhookAlarms(
  scope: Construct,
  { config, namePrefix, namespaces: ns }: AlarmInputs,
): Alarm[] {
  const services = [Service.scaleUp, Service.lifecycle, Service.reaper] as const;
  const usingMetrics = Object.fromEntries(
    services.map((service, index) => [
      `auth${index}`,
      spotlabMetric(
        ns,
        Metric.gitlabAuthFailures,
        service,
        {},
        { statistic: Stats.SUM, period: FIVE_MINUTES },
      ),
    ]),
  );
  // Both metrics exist only when something failed: missing data is the healthy case.
  return [
    new Alarm(scope, 'GitlabAuthFailures', {
      alarmName: `${namePrefix}-gitlab-auth-failures`,
      alarmDescription:
        'GitLab refused the API token (401/403): nothing launches or cleans up until it is fixed. ' +
        `${RUNBOOK}#gitlab-auth-failures`,
      metric: new MathExpression({
        expression: `SUM([${Object.keys(usingMetrics).join(',')}])`,
        usingMetrics,
        period: FIVE_MINUTES,
        label: 'GitLab auth failures',
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }),
    new Alarm(scope, 'WebhookRefusals', {
      alarmName: `${namePrefix}-webhook-refusals`,
      alarmDescription:
        `At least ${config.alarms.refusedWebhooksPer5Minutes} webhook requests refused (4xx) in 5 minutes. ` +
        `${RUNBOOK}#webhook-refusals`,
      metric: spotlabMetric(
        ns,
        Metric.webhookRefused,
        Service.webhook,
        {},
        {
          statistic: Stats.SUM,
          period: FIVE_MINUTES,
        },
      ),
      threshold: config.alarms.refusedWebhooksPer5Minutes,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }),
  ];
}

function lambdaAlarms(scope: Construct, { config, functions, namePrefix }: AlarmInputs): Alarm[] {
  const { lambdaErrorsPer5Minutes, lambdaThrottlesPer5Minutes } = config.alarms;
  // A function that was not invoked reports nothing: missing data is not breaching.
  return Object.entries(functions).flatMap(([service, fn]) => [
    new Alarm(scope, `Errors-${service}`, {
      alarmName: `${namePrefix}-${service}-errors`,
      alarmDescription: `The ${service} Lambda failed (error or timeout). ${RUNBOOK}#lambda-errors`,
      metric: fn.metricErrors({ statistic: Stats.SUM, period: FIVE_MINUTES }),
      threshold: lambdaErrorsPer5Minutes,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }),
    new Alarm(scope, `Throttles-${service}`, {
      alarmName: `${namePrefix}-${service}-throttles`,
      alarmDescription: `The ${service} Lambda was throttled. ${RUNBOOK}#lambda-throttles`,
      metric: fn.metricThrottles({ statistic: Stats.SUM, period: FIVE_MINUTES }),
      threshold: lambdaThrottlesPer5Minutes,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }),
  ]);
}

function jobWaitAlarms(scope: Construct, { config, namePrefix, namespaces: ns }: AlarmInputs): Alarm[] {
  const bound = config.alarms.jobWaitP95Seconds;
  // JobWait comes with each `running` event: no job started, no data, nothing to alarm on here
  // (jobs that never start show up as DemandWaiting, LaunchShortfall and scale-up failures).
  return config.pools.map(
    ({ name: pool }) =>
      new Alarm(scope, `JobWait-${pool}`, {
        alarmName: `${namePrefix}-job-wait-${pool}`,
        alarmDescription:
          `p95 of the time jobs of pool ${pool} queued in GitLab above ${bound} s over 15 minutes. ` +
          `${RUNBOOK}#job-wait`,
        metric: spotlabMetric(
          ns,
          Metric.jobWait,
          Service.lifecycle,
          { pool },
          {
            statistic: Stats.p(95),
            period: Duration.minutes(15),
          },
        ),
        // JobWait is in milliseconds.
        threshold: bound * 1000,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
  );
}

/**
 * The p95 of the runner VMs' start-up, kernel boot to the runner asking for its job, across pools.
 * Only VMs whose runner started report, so no data means nothing to judge.
 */
function startupAlarm(scope: Construct, { config, namePrefix, namespaces: ns }: AlarmInputs): Alarm {
  const bound = config.alarms.startupP95Seconds;
  return new Alarm(scope, 'Startup', {
    alarmName: `${namePrefix}-vm-startup`,
    alarmDescription: `p95 of runner VM start-up (boot to runner) above ${bound} s over 15 minutes. ${RUNBOOK}#vm-startup`,
    metric: startupMetric(ns, StartupStage.total, undefined, {
      statistic: Stats.p(95),
      period: Duration.minutes(15),
    }),
    threshold: bound,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
}

/**
 * The reaper keeps going past a failing step by design (one bad runner must not stop the sweep),
 * so its Lambda never errors for it: failures in 5 of the last 10 one-minute sweeps alarm, which
 * a passing GitLab 429 or EC2 throttle does not reach.
 */
function reaperFailuresAlarm(scope: Construct, { namePrefix, namespaces: ns }: AlarmInputs): Alarm {
  return new Alarm(scope, 'ReaperFailures', {
    alarmName: `${namePrefix}-reaper-failures`,
    alarmDescription:
      'Reaper steps kept failing in 5 of the last 10 sweeps: leftovers (instances, runners, tokens) ' +
      `may be piling up. ${RUNBOOK}#reaper-failures`,
    metric: spotlabMetric(
      ns,
      Metric.reaperFailures,
      Service.reaper,
      {},
      { statistic: Stats.SUM, period: Duration.minutes(1) },
    ),
    threshold: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 10,
    datapointsToAlarm: 5,
    // Emitted only when a step failed: missing data is a healthy sweep.
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
}

/**
 * A burst beyond the account's instance-launch rate (1,000, then 2 a second) waits without being
 * lost, but GitLab fails a job pending for an hour: every job whose wait passes that hour alarms (one
 * that later expires unlaunched crossed it first). See docs/scale.md for what lifts the ceiling.
 */
function demandAtRiskAlarm(scope: Construct, { namePrefix, namespaces: ns }: AlarmInputs): Alarm {
  return new Alarm(scope, 'DemandAtRisk', {
    alarmName: `${namePrefix}-demand-at-risk`,
    alarmDescription:
      "Jobs wait for capacity past GitLab's one-hour limit for a pending job: the burst is beyond " +
      `what one account and Region launches in an hour. ${RUNBOOK}#demand-at-risk`,
    metric: spotlabMetric(
      ns,
      Metric.demandAtRisk,
      Service.scaleUp,
      {},
      { statistic: Stats.SUM, period: FIVE_MINUTES },
    ),
    threshold: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    // Emitted only for a job at risk: missing data is the healthy case.
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
}
