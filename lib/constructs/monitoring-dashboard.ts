import { Aws, Duration } from 'aws-cdk-lib';
import {
  type Alarm,
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IMetric,
  type IWidget,
  Stats,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { Dimension, Metric, Service, StartupStage } from '../../lambdas/shared/metric-names';
import type { SpotlabConfig } from '../config/schema';
import type { JobQueues } from './job-queues';
import { type ServiceName, spotlabMetric, spotlabSearch, startupMetric } from './monitoring-metrics';
import type { MetricNamespaces } from './spotlab-name';
import { type WafMetricNames, wafRequests } from './webhook-waf';

/** The parts of the configuration the dashboard reads. */
export type DashboardConfig = Pick<SpotlabConfig, 'pools' | 'maxInstances' | 'maxSpendPerHourUsd'>;

/** What the dashboard shows. */
export interface DashboardInputs {
  readonly config: Readonly<DashboardConfig>;
  readonly stackName: string;
  readonly functions: Readonly<Record<ServiceName, IFunction>>;
  readonly queues: JobQueues;
  /** The webhook's WAF metrics, when it has a web ACL. */
  readonly wafMetrics?: WafMetricNames;
  readonly alarms: readonly Alarm[];
  /** Where this Spotlab's metrics are (another Spotlab's are in another namespace). */
  readonly namespaces: MetricNamespaces;
}

const PERIOD = Duration.minutes(5);
const MINUTE = Duration.minutes(1);
const { kind, reason, pool: poolKey, code, stage } = Dimension;

/**
 * One CloudWatch dashboard: cost and capacity first, then the webhook, one row per pool (pool
 * names come from the configuration), cleanup and interruptions, and errors.
 */
export function createDashboard(scope: Construct, inputs: DashboardInputs): Dashboard {
  const dashboard = new Dashboard(scope, 'Dashboard', {
    // Dashboard names are global to the account: the Region keeps two deployments apart.
    dashboardName: `${inputs.stackName}-${Aws.REGION}`,
    defaultInterval: Duration.hours(3),
  });
  dashboard.addWidgets(
    new TextWidget({
      markdown: `# Spotlab ${inputs.stackName}\nCost, capacity and health. What each graph and alarm means: docs/observability.md`,
      width: 24,
      height: 2,
    }),
  );
  dashboard.addWidgets(...costRow(inputs));
  dashboard.addWidgets(...webhookRow(inputs));
  for (const pool of inputs.config.pools) dashboard.addWidgets(...poolRow(pool, inputs.namespaces));
  dashboard.addWidgets(...warmRow(inputs.namespaces));
  dashboard.addWidgets(...cleanupRow(inputs.namespaces));
  dashboard.addWidgets(...errorRow(inputs));
  return dashboard;
}

const graph = (
  title: string,
  left: IMetric[],
  extra: Partial<ConstructorParameters<typeof GraphWidget>[0]> = {},
) => new GraphWidget({ title, left, width: 8, height: 6, ...extra });

function costRow({ config, alarms, namespaces: ns }: DashboardInputs): IWidget[] {
  const running = config.pools.map(({ name }) =>
    spotlabMetric(
      ns,
      Metric.runningInstances,
      Service.reaper,
      { pool: name },
      {
        statistic: Stats.MAXIMUM,
        period: MINUTE,
        label: name,
      },
    ),
  );
  return [
    graph(
      'Estimated spend (USD per hour, on-demand prices)',
      [
        spotlabMetric(
          ns,
          Metric.estimatedSpendPerHour,
          Service.reaper,
          {},
          { statistic: Stats.MAXIMUM, period: MINUTE },
        ),
      ],
      { leftAnnotations: [{ value: config.maxSpendPerHourUsd, label: 'maxSpendPerHourUsd' }] },
    ),
    graph('Running instances by pool', running, {
      stacked: true,
      leftAnnotations: [{ value: config.maxInstances, label: 'maxInstances' }],
    }),
    new AlarmStatusWidget({ title: 'Alarms', alarms: [...alarms], width: 8, height: 6 }),
  ];
}

function webhookRow({ queues, namespaces: ns, wafMetrics }: DashboardInputs): IWidget[] {
  const sum = { statistic: 'Sum', period: PERIOD };
  const visible = (name: string, queue: JobQueues['demand']) =>
    queue.metricApproximateNumberOfMessagesVisible({ statistic: Stats.MAXIMUM, period: PERIOD, label: name });
  return [
    graph('Webhook events accepted (by kind) and ignored (by reason)', [
      spotlabSearch(ns, Metric.webhookAccepted, Service.webhook, [kind], sum),
      spotlabSearch(ns, Metric.webhookIgnored, Service.webhook, [reason], sum),
    ]),
    graph('Webhook requests refused (4xx) and failed (5xx), by reason', [
      spotlabSearch(ns, Metric.webhookRefused, Service.webhook, [reason], sum),
      spotlabSearch(ns, Metric.webhookFailed, Service.webhook, [reason], sum),
    ]),
    graph('Queues: messages waiting', [
      visible('demand', queues.demand),
      visible('lifecycle', queues.lifecycle),
      visible('demand DLQ', queues.demandDeadLetters),
      visible('lifecycle DLQ', queues.lifecycleDeadLetters),
    ]),
    ...(wafMetrics === undefined ? [] : [wafGraph(wafMetrics)]),
  ];
}

/** Requests WAF's per-IP rate limit answered 429, beside those it let through. */
function wafGraph(names: WafMetricNames): IWidget {
  return graph('Webhook requests blocked by WAF (rate per source IP) and allowed', [
    wafRequests(names, 'blocked'),
    wafRequests(names, 'allowed'),
  ]);
}

function poolRow(
  { name: pool, maxInstances }: SpotlabConfig['pools'][number],
  ns: MetricNamespaces,
): IWidget[] {
  const at = (statistic: string, period = PERIOD) => ({ statistic, period });
  const launched = (kindOf: 'spot' | 'on-demand') =>
    spotlabMetric(
      ns,
      Metric.instancesLaunched,
      Service.scaleUp,
      { pool, lifecycle: kindOf },
      {
        ...at(Stats.SUM),
        label: `launched ${kindOf}`,
      },
    );
  const latency = (name: typeof Metric.jobWait | typeof Metric.webhookToLaunch, service: ServiceName) =>
    [Stats.p(50), Stats.p(95)].map((statistic) =>
      spotlabMetric(ns, name, service, { pool }, { ...at(statistic), label: `${name} ${statistic}` }),
    );
  return [
    new TextWidget({ markdown: `## Pool ${pool}`, width: 24, height: 1 }),
    graph(
      `${pool}: running instances`,
      [spotlabMetric(ns, Metric.runningInstances, Service.reaper, { pool }, at(Stats.MAXIMUM, MINUTE))],
      { width: 6, leftAnnotations: [{ value: maxInstances, label: 'pool maxInstances' }] },
    ),
    graph(
      `${pool}: launches (spot, on-demand, on-demand for a spot cool-down) and shortfall by EC2 code`,
      [
        launched('spot'),
        launched('on-demand'),
        spotlabMetric(ns, Metric.coolDownLaunches, Service.scaleUp, { pool }, at(Stats.SUM)),
        spotlabSearch(ns, Metric.launchShortfall, Service.scaleUp, [poolKey, code], {
          filter: { pool },
          ...at('Sum'),
        }),
      ],
      { width: 6 },
    ),
    graph(
      `${pool}: jobs waiting on a cap`,
      [spotlabMetric(ns, Metric.demandWaiting, Service.scaleUp, { pool }, at(Stats.SUM))],
      { width: 6 },
    ),
    graph(
      `${pool}: job wait in GitLab and webhook-to-launch (ms)`,
      [...latency(Metric.jobWait, Service.lifecycle), ...latency(Metric.webhookToLaunch, Service.scaleUp)],
      { width: 6 },
    ),
    graph(
      `${pool}: VM start-up by stage, seconds from kernel boot (p50, p95)`,
      Object.values(StartupStage).flatMap((stageName) =>
        [Stats.p(50), Stats.p(95)].map((statistic) =>
          startupMetric(ns, stageName, pool, { ...at(statistic), label: `${stageName} ${statistic}` }),
        ),
      ),
      { width: 24 },
    ),
  ];
}

/** Warm capacity, every pool's: ready instances the reaper launched and scale-up claimed for jobs. */
function warmRow(ns: MetricNamespaces): IWidget[] {
  const sum = { statistic: 'Sum', period: PERIOD };
  return [
    graph(
      'Warm capacity: ready instances launched (reaper) and claimed by jobs (scale-up), by pool',
      [
        spotlabSearch(ns, Metric.warmLaunched, Service.reaper, [poolKey], sum),
        spotlabSearch(ns, Metric.warmClaimed, Service.scaleUp, [poolKey], sum),
      ],
      { width: 24 },
    ),
  ];
}

function cleanupRow(ns: MetricNamespaces): IWidget[] {
  const sum = { statistic: 'Sum', period: PERIOD };
  const total = (name: Parameters<typeof spotlabMetric>[1], service: ServiceName) =>
    spotlabMetric(ns, name, service, {}, { statistic: Stats.SUM, period: PERIOD, label: name });
  return [
    graph('Reaped (by kind), terminated and runners deleted (by reason)', [
      spotlabSearch(ns, Metric.orphansReaped, Service.reaper, [kind], sum),
      spotlabSearch(ns, Metric.instancesTerminated, Service.lifecycle, [reason], sum),
      spotlabSearch(ns, Metric.runnersDeleted, Service.lifecycle, [reason], sum),
    ]),
    graph('Spot interruptions (by kind), retried and lost jobs', [
      spotlabSearch(ns, Metric.spotInterruptions, Service.lifecycle, [kind], sum),
      total(Metric.jobsRetried, Service.lifecycle),
      total(Metric.jobRetriesRefused, Service.lifecycle),
      total(Metric.jobsLost, Service.reaper),
      total(Metric.lostDemandRequeued, Service.reaper),
      total(Metric.demandDisplaced, Service.lifecycle),
    ]),
    graph(
      'Jobs unroutable, skipped, refused, lifecycle events needing nothing (by reason); unregistered runners',
      [
        spotlabSearch(ns, Metric.jobsUnroutable, Service.scaleUp, [reason], sum),
        spotlabSearch(ns, Metric.demandSkipped, Service.scaleUp, [reason], sum),
        spotlabSearch(ns, Metric.demandRefused, Service.scaleUp, [reason], sum),
        spotlabSearch(ns, Metric.lifecycleIgnored, Service.lifecycle, [reason], sum),
        // Hooks naming a runner the job table does not tie to that job and instance: forged, or impostors.
        spotlabSearch(ns, Metric.unrecordedRunnerIgnored, Service.lifecycle, [kind], sum),
      ],
    ),
    graph("Demand waiting (re-sent by reason); past GitLab's hour, expired", [
      spotlabSearch(ns, Metric.demandDeferred, Service.scaleUp, [reason], sum),
      total(Metric.demandAtRisk, Service.scaleUp),
      total(Metric.demandExpired, Service.scaleUp),
    ]),
  ];
}

function errorRow({ functions, namespaces: ns }: DashboardInputs): IWidget[] {
  const sum = { statistic: 'Sum', period: PERIOD };
  const perService = (name: typeof Metric.gitlabAuthFailures, services: readonly ServiceName[]) =>
    services.map((service) =>
      spotlabMetric(
        ns,
        name,
        service,
        {},
        { statistic: Stats.SUM, period: PERIOD, label: `${name} ${service}` },
      ),
    );
  const fns = Object.entries(functions);
  return [
    graph('GitLab auth failures, unreadable messages', [
      ...perService(Metric.gitlabAuthFailures, [Service.scaleUp, Service.lifecycle, Service.reaper]),
      spotlabMetric(ns, Metric.demandInvalid, Service.scaleUp, {}, { ...sum, label: Metric.demandInvalid }),
      spotlabMetric(
        ns,
        Metric.lifecycleInvalid,
        Service.lifecycle,
        {},
        { ...sum, label: Metric.lifecycleInvalid },
      ),
    ]),
    graph('Failed steps (by stage), retried by SQS or the next sweep', [
      spotlabSearch(ns, Metric.scaleUpFailures, Service.scaleUp, [stage], sum),
      spotlabSearch(ns, Metric.lifecycleFailures, Service.lifecycle, [stage], sum),
      spotlabSearch(ns, Metric.reaperFailures, Service.reaper, [stage], sum),
    ]),
    graph('Lambda errors and throttles', [
      ...fns.map(([service, fn]) => fn.metricErrors({ ...sum, label: `${service} errors` })),
      ...fns.map(([service, fn]) => fn.metricThrottles({ ...sum, label: `${service} throttles` })),
    ]),
  ];
}
