import type { Duration } from 'aws-cdk-lib';
import { MathExpression, Metric, type MetricOptions } from 'aws-cdk-lib/aws-cloudwatch';
import {
  Dimension,
  Metric as MetricName,
  Service,
  STARTUP_METRIC,
  StartupStage,
} from '../../lambdas/shared/metric-names';
import type { MetricNamespaces } from './spotlab-name';

/** A metric name from {@link MetricName}. */
export type SpotlabMetricName = (typeof MetricName)[keyof typeof MetricName];
/** A dimension name from {@link Dimension}. */
export type DimensionName = (typeof Dimension)[keyof typeof Dimension];
/** A `service` dimension value from {@link Service}. */
export type ServiceName = (typeof Service)[keyof typeof Service];

/** Which functions emit a metric, and the dimension sets it carries besides `service`. */
export interface Emission {
  readonly services: readonly ServiceName[];
  readonly dimensionSets: readonly (readonly DimensionName[])[];
}

const from = (service: ServiceName, ...dimensionSets: (readonly DimensionName[])[]): Emission => ({
  services: [service],
  dimensionSets: dimensionSets.length === 0 ? [[]] : dimensionSets,
});
const { kind, reason, pool, lifecycle, code, stage } = Dimension;

/**
 * Every metric the Lambdas emit, as the EMF they write names it. CloudWatch stores one time series
 * per exact dimension set, and an alarm or widget matches only that exact set: a set that differs
 * by one key, `service` included, shows nothing. test/infra/monitoring-metrics.test.ts checks this
 * table against the EMF the observers really write.
 */
export const EMISSIONS: Readonly<Record<SpotlabMetricName, Emission>> = {
  [MetricName.webhookAccepted]: from(Service.webhook, [kind]),
  [MetricName.webhookIgnored]: from(Service.webhook, [reason]),
  [MetricName.webhookRefused]: from(Service.webhook, [reason], []),
  [MetricName.webhookFailed]: from(Service.webhook, [reason]),
  [MetricName.demandInvalid]: from(Service.scaleUp),
  [MetricName.demandSkipped]: from(Service.scaleUp, [reason]),
  [MetricName.demandRefused]: from(Service.scaleUp, [reason]),
  [MetricName.jobsUnroutable]: from(Service.scaleUp, [reason]),
  [MetricName.demandWaiting]: from(Service.scaleUp, [pool]),
  [MetricName.demandDeferred]: from(Service.scaleUp, [reason]),
  [MetricName.demandAtRisk]: from(Service.scaleUp),
  [MetricName.demandExpired]: from(Service.scaleUp),
  [MetricName.instancesLaunched]: from(Service.scaleUp, [pool, lifecycle]),
  [MetricName.warmClaimed]: from(Service.scaleUp, [pool]),
  [MetricName.warmLaunched]: from(Service.reaper, [pool]),
  [MetricName.launchShortfall]: from(Service.scaleUp, [pool, code]),
  [MetricName.coolDownLaunches]: from(Service.scaleUp, [pool]),
  [MetricName.gitlabAuthFailures]: {
    services: [Service.scaleUp, Service.lifecycle, Service.reaper],
    dimensionSets: [[]],
  },
  [MetricName.scaleUpFailures]: from(Service.scaleUp, [stage]),
  [MetricName.webhookToLaunch]: from(Service.scaleUp, [pool]),
  [MetricName.lifecycleInvalid]: from(Service.lifecycle),
  [MetricName.lifecycleIgnored]: from(Service.lifecycle, [reason]),
  [MetricName.lifecycleFailures]: from(Service.lifecycle, [stage]),
  [MetricName.jobWait]: from(Service.lifecycle, [pool]),
  [MetricName.instancesTerminated]: from(Service.lifecycle, [reason]),
  [MetricName.runnersDeleted]: from(Service.lifecycle, [reason]),
  [MetricName.spotInterruptions]: from(Service.lifecycle, [kind]),
  [MetricName.jobsRetried]: from(Service.lifecycle),
  [MetricName.jobRetriesRefused]: from(Service.lifecycle),
  [MetricName.demandDisplaced]: from(Service.lifecycle),
  [MetricName.unrecordedRunnerIgnored]: from(Service.lifecycle, [kind]),
  [MetricName.orphansReaped]: from(Service.reaper, [kind]),
  [MetricName.lostDemandRequeued]: from(Service.reaper),
  [MetricName.jobsLost]: from(Service.reaper),
  [MetricName.reaperFailures]: from(Service.reaper, [stage], []),
  [MetricName.runningInstances]: from(Service.reaper, [pool], []),
  [MetricName.estimatedSpendPerHour]: from(Service.reaper),
};

/** An alarm or widget asked for a metric with a service or dimension set no Lambda emits. */
export class MetricCatalogError extends Error {
  override readonly name = 'MetricCatalogError';
}

/** Dimension values by name. */
export type DimensionValues = Partial<Record<DimensionName, string>>;

/**
 * A Spotlab metric with exactly the dimensions its Lambda emits (`service` included), in the
 * namespace of the Spotlab `ns` belongs to.
 * @throws MetricCatalogError when `service` does not emit `name` with these dimension names.
 */
export function spotlabMetric(
  ns: MetricNamespaces,
  name: SpotlabMetricName,
  service: ServiceName,
  dimensions: DimensionValues = {},
  options: MetricOptions = {},
): Metric {
  checkEmitted(name, service, Object.keys(dimensions));
  return new Metric({
    namespace: ns.lambdas,
    metricName: name,
    dimensionsMap: { service, ...dimensions },
    ...options,
  });
}

/**
 * A dashboard SEARCH over one dimension set of `name`: one line per value of the dimensions left
 * open (a reason, an error code), which no one can list in advance. Alarms cannot use SEARCH.
 * @throws MetricCatalogError when `service` does not emit `name` with `dimensionSet`.
 */
export function spotlabSearch(
  ns: MetricNamespaces,
  name: SpotlabMetricName,
  service: ServiceName,
  dimensionSet: readonly DimensionName[],
  options: { readonly filter?: DimensionValues; readonly statistic: string; readonly period: Duration },
): MathExpression {
  checkEmitted(name, service, dimensionSet);
  const schema = [ns.lambdas, 'service', ...dimensionSet].join(',');
  const filters = Object.entries({ service, ...options.filter }).map(([key, value]) => `${key}="${value}"`);
  const period = options.period.toSeconds();
  return new MathExpression({
    expression: `SEARCH('{${schema}} MetricName="${name}" ${filters.join(' ')}', '${options.statistic}', ${period})`,
    usingMetrics: {},
    period: options.period,
    // An empty label lets CloudWatch name each line after its dimension values.
    label: '',
  });
}

function checkEmitted(name: SpotlabMetricName, service: ServiceName, dimensions: readonly string[]): void {
  const emission = EMISSIONS[name];
  const wanted = [...dimensions].sort().join(',');
  const known = emission.dimensionSets.some((set) => [...set].sort().join(',') === wanted);
  if (!emission.services.includes(service) || !known) {
    throw new MetricCatalogError(
      `${name} is not emitted by ${service} with dimensions [${wanted}]; see EMISSIONS in monitoring-metrics.ts`,
    );
  }
}

/** A start-up stage from {@link StartupStage}. */
export type StartupStageName = (typeof StartupStage)[keyof typeof StartupStage];

/**
 * A start-up stage as the runner VMs report it (runner-bootstrap.sh): per pool, or for the total
 * also across pools (the series the start-up alarm watches). No `service`: no Lambda emits it.
 */
export function startupMetric(
  ns: MetricNamespaces,
  stageName: StartupStageName,
  pool: string | undefined,
  options: MetricOptions,
): Metric {
  if (pool === undefined && stageName !== StartupStage.total)
    throw new MetricCatalogError(`${STARTUP_METRIC} ${stageName} is reported per pool only`);
  return new Metric({
    namespace: ns.startup,
    metricName: STARTUP_METRIC,
    dimensionsMap: pool === undefined ? { stage: stageName } : { pool, stage: stageName },
    ...options,
  });
}
