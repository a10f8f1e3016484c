import { readFileSync } from 'node:fs';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { Duration } from 'aws-cdk-lib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { lifecycleMetricsObserver } from '../../lambdas/lifecycle/metrics-observer';
import { reaperMetricsObserver, warmLaunchedMetric } from '../../lambdas/reaper/metrics-observer';
import { metricsObserver, warmClaimMetrics } from '../../lambdas/scale-up/metrics-observer';
import {
  METRICS_NAMESPACE,
  Metric,
  metricsNamespaceOf,
  Service,
  STARTUP_NAMESPACE,
  startupNamespaceOf,
} from '../../lambdas/shared/metric-names';
import { createObservability } from '../../lambdas/shared/observability';
import { RequestRefusedError } from '../../lambdas/webhook/errors';
import { recordError, recordResult } from '../../lambdas/webhook/observe';
import {
  EMISSIONS,
  MetricCatalogError,
  spotlabMetric,
  spotlabSearch,
  startupMetric,
} from '../../lib/constructs/monitoring-metrics';
import { demandMessage } from '../../sim/sqs-event-source';
import { captureOutput, jsonLines } from '../support/output';

type ServiceName = (typeof Service)[keyof typeof Service];

/** The shipped Spotlab's namespaces. */
const SHIPPED = { lambdas: METRICS_NAMESPACE, startup: STARTUP_NAMESPACE };

const emfSchema = z.looseObject({
  _aws: z.object({
    CloudWatchMetrics: z.array(
      z.object({
        Namespace: z.string(),
        Dimensions: z.array(z.array(z.string())),
        Metrics: z.array(z.looseObject({ Name: z.string() })),
      }),
    ),
  }),
  service: z.string(),
});

let output: ReturnType<typeof captureOutput>;
beforeEach(() => {
  output = captureOutput();
});
afterEach(() => output.restore());

/**
 * Runs `act` against a fresh Logger and Metrics named `service` (as each handler makes them),
 * flushes after each step as the middleware does after each invocation, and returns every
 * emitted metric as `Name service dim1,dim2` (dimension names besides `service`, sorted).
 */
function emitted(service: ServiceName, steps: ((logger: Logger, metrics: Metrics) => void)[]): string[] {
  const { logger, metrics } = createObservability(service, METRICS_NAMESPACE);
  const before = output.lines().length;
  for (const step of steps) {
    step(logger, metrics);
    metrics.publishStoredMetrics();
  }
  return jsonLines(output.lines().slice(before)).flatMap((line) => {
    const emf = emfSchema.safeParse(line);
    if (!emf.success) return [];
    return emf.data._aws.CloudWatchMetrics.flatMap((directive) => {
      expect(directive.Namespace).toBe(METRICS_NAMESPACE);
      return directive.Metrics.flatMap((metric) =>
        directive.Dimensions.map((set) => {
          // Powertools adds `service` to every dimension set; alarms must name it too.
          expect(set).toContain('service');
          const others = set.filter((d) => d !== 'service').sort();
          return `${metric.Name} ${emf.data.service} ${others.join(',')}`;
        }),
      );
    });
  });
}

function everyEmission(): string[] {
  const error = new Error('boom');
  return [
    ...emitted(Service.webhook, [
      (l, m) => recordResult({ outcome: 'accepted', message: demandMessage(1, 2, 0) }, l, m),
      (l, m) => recordResult({ outcome: 'ignored', reason: 'duplicate' }, l, m),
      (l, m) => recordError(new RequestRefusedError('bad_token'), l, m),
      (l, m) => recordError(error, l, m),
    ]),
    ...emitted(Service.scaleUp, [
      (l, m) => {
        const o = metricsObserver(l, m);
        o.invalidMessage('m1', 'bad');
        o.gitlabAuthFailure(401);
      },
      (l, m) => {
        const o = metricsObserver(l, m);
        o.skipped(1, 'already_claimed');
        o.refused(1, 'outside_group');
        o.unroutable(1, 'no_pool');
        o.waitingOnLimit('linux', 2);
        o.deferred('linux', 'launch_rate', 3);
        o.demandAtRisk(1, 'linux');
        o.demandExpired(1);
        o.launched('linux', 'spot', 1);
        o.shortfall('linux', 'InsufficientInstanceCapacity', 1);
        o.coolDownLaunches('linux', 1);
        o.failed('launch', 1, error);
        o.webhookToLaunchMs('linux', 900);
        warmClaimMetrics(l, m).claimed('linux', 2);
      },
    ]),
    ...emitted(Service.lifecycle, [
      (l, m) => {
        const o = lifecycleMetricsObserver(l, m);
        o.invalidMessage('m1', 'bad');
        o.ignored('not_our_runner', 1);
        o.jobRunning(1, 'i-1', 'linux', 30_000);
        o.instanceTerminated('i-1', 'job_finished');
        o.runnerDeleted(7, 'job_finished');
        o.spotInterruption('i-1', 1);
        o.jobRetried(1, 2);
        o.demandDisplaced(1, 'i-1');
        o.retryRefused(1);
        o.unrecordedRunnerIgnored(1, { runnerId: 7, launchJobId: 1 }, 'success');
        o.gitlabAuthFailure(403);
        o.failed('runner', 1, error);
      },
    ]),
    ...emitted(Service.reaper, [
      (l, m) => {
        const o = reaperMetricsObserver(l, m);
        o.reaped('runner', 7);
        o.jobLost(1);
        o.demandRequeued(1, 2);
        o.fleetSeen({ linux: 1 }, 0.1);
        o.gitlabAuthFailure(401);
        o.failed('describe', undefined, error);
        warmLaunchedMetric(l, m)('linux', 2);
      },
    ]),
  ];
}

describe('metric catalog (EMISSIONS)', () => {
  it('lists exactly the metrics, services and dimension sets the Lambdas emit', () => {
    const expected = Object.entries(EMISSIONS).flatMap(([name, emission]) =>
      emission.services.flatMap((service) =>
        emission.dimensionSets.map((set) => `${name} ${service} ${[...set].sort().join(',')}`),
      ),
    );

    expect([...new Set(everyEmission())].sort()).toEqual(expected.sort());
  });

  it('covers every name in Metric', () => {
    expect(Object.keys(EMISSIONS).sort()).toEqual(Object.values(Metric).sort());
  });

  it.each([
    ['webhook', Service.webhook],
    ['scale-up', Service.scaleUp],
    ['lifecycle', Service.lifecycle],
    ['reaper', Service.reaper],
  ])('matches the service name the %s handler gives Powertools', (folder, service) => {
    const source = readFileSync(`lambdas/${folder}/handler.ts`, 'utf8');

    expect(source).toMatch(
      new RegExp(`createObservability\\('${service}'\\)|createObservability\\(Service\\.`),
    );
  });
});

describe('spotlabMetric', () => {
  it('adds the service dimension to the metric', () => {
    const metric = spotlabMetric(SHIPPED, Metric.jobWait, Service.lifecycle, { pool: 'linux' });

    expect(metric.dimensions).toEqual({ service: 'lifecycle', pool: 'linux' });
    expect(metric.namespace).toBe(METRICS_NAMESPACE);
  });

  it('reads the namespace of the Spotlab it is given, the start-up metric and searches too', () => {
    const lambdas = metricsNamespaceOf('CiTwo');
    const ns = { lambdas, startup: startupNamespaceOf(lambdas) };
    const sum = { statistic: 'Sum', period: Duration.minutes(5) };

    expect(spotlabMetric(ns, Metric.jobWait, Service.lifecycle, { pool: 'linux' }).namespace).toBe(
      'Spotlab/CiTwo',
    );
    expect(startupMetric(ns, 'total', undefined, {}).namespace).toBe('Spotlab/CiTwo/Startup');
    expect(spotlabSearch(ns, Metric.webhookIgnored, Service.webhook, ['reason'], sum).expression).toContain(
      "SEARCH('{Spotlab/CiTwo,service,reason}",
    );
  });

  it.each<[string, () => unknown]>([
    ['a dimension the metric lacks', () => spotlabMetric(SHIPPED, Metric.jobWait, Service.lifecycle)],
    [
      'a service that does not emit it',
      () => spotlabMetric(SHIPPED, Metric.jobWait, Service.reaper, { pool: 'x' }),
    ],
    [
      'an extra dimension',
      () => spotlabMetric(SHIPPED, Metric.estimatedSpendPerHour, Service.reaper, { pool: 'x' }),
    ],
  ])('refuses %s, so no alarm watches an empty series', (_label, make) => {
    expect(make).toThrow(MetricCatalogError);
  });
});
