import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { GitlabAuthError } from '../shared/gitlab/errors';
import { Dimension, Metric } from '../shared/metric-names';
import { countMetric } from '../shared/observability';
import type { ReaperObserver } from './observer';

/**
 * A {@link ReaperObserver} that logs (constant messages with a data object; errors by name and
 * message only, which never carry a token) and emits EMF metrics.
 */
export function reaperMetricsObserver(logger: Logger, metrics: Metrics): ReaperObserver {
  const count = countMetric(metrics);
  return {
    reaped(kind, subject) {
      logger.info('orphan reaped', { kind, subject });
      count(Metric.orphansReaped, { [Dimension.kind]: kind });
    },
    spared(reason, instanceId) {
      logger.warn('idle instance kept: its runner may be running a job', { reason, instanceId });
    },
    jobLost(jobId) {
      logger.warn('launched job lost its instance before it ran', { jobId });
      count(Metric.jobsLost, {});
    },
    demandRequeued(jobId, projectId) {
      logger.info('lost demand enqueued again', { jobId, projectId });
      count(Metric.lostDemandRequeued, {});
    },
    fleetSeen(byPool, usdPerHour) {
      for (const [pool, running] of Object.entries(byPool))
        count(Metric.runningInstances, { [Dimension.pool]: pool }, running);
      // The total too: an alarm on the global cap watches one metric, however many pools there are.
      count(
        Metric.runningInstances,
        {},
        Object.values(byPool).reduce((sum, running) => sum + running, 0),
      );
      count(Metric.estimatedSpendPerHour, {}, usdPerHour, MetricUnit.NoUnit);
    },
    gitlabAuthFailure(status) {
      logger.error('GitLab refused the API token: check the token and its scopes', { status });
      count(Metric.gitlabAuthFailures, {});
    },
    failed(stage, subject, error) {
      // After an auth failure every GitLab step is skipped; the one error above says why.
      if (!(error instanceof GitlabAuthError))
        logger.error('reaper step failed', { stage, subject, error: describe(error) });
      count(Metric.reaperFailures, { [Dimension.stage]: stage });
      // The total too: the sustained-failure alarm watches one metric, whichever steps fail.
      count(Metric.reaperFailures, {});
    },
    swept(summary) {
      logger.info('sweep done', { ...summary });
    },
  };
}

/** Counts ready instances the sweep launched (`WarmLaunched`, by pool) and logs them. */
export function warmLaunchedMetric(
  logger: Logger,
  metrics: Metrics,
): (pool: string, instances: number) => void {
  const count = countMetric(metrics);
  return (pool, instances) => {
    logger.info('ready instances launched', { pool, instances });
    count(Metric.warmLaunched, { [Dimension.pool]: pool }, instances);
  };
}

function describe(error: unknown): { name: string; message: string } {
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: 'Unknown', message: '' };
}
