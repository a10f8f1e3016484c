import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * One Logger and one Metrics per Lambda environment, named after the function's role; `namespace`
 * is its Spotlab's (the environment's `metricsNamespace`), so two Spotlabs' series stay apart.
 */
export function createObservability(
  serviceName: string,
  namespace: string,
): { logger: Logger; metrics: Metrics } {
  return {
    logger: new Logger({ serviceName }),
    metrics: new Metrics({ namespace, serviceName }),
  };
}

/**
 * A function that emits one metric with its own dimensions, apart from the invocation's other
 * metrics: a batch or a sweep reports many outcomes with different dimensions, and an EMF blob
 * carries one dimension set.
 */
export type CountMetric = (
  name: string,
  dimensions: Record<string, string>,
  value?: number,
  unit?: MetricUnitValue,
) => void;

/** The unit type Powertools accepts. */
export type MetricUnitValue = (typeof MetricUnit)[keyof typeof MetricUnit];

/** {@link CountMetric} on `metrics`. */
export function countMetric(metrics: Metrics): CountMetric {
  return (name, dimensions, value = 1, unit = MetricUnit.Count) => {
    const single = metrics.singleMetric();
    for (const [key, dimension] of Object.entries(dimensions)) single.addDimension(key, dimension);
    single.addMetric(name, unit, value);
  };
}
