import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { GitlabAuthError } from '../shared/gitlab/errors';
import { Dimension, Metric } from '../shared/metric-names';
import { countMetric } from '../shared/observability';
import type { ScaleUpObserver } from './observer';
import type { WarmClaimObserver } from './warm-claims';

/** A {@link ScaleUpObserver} that logs (constant messages, no secrets) and emits EMF metrics. */
export function metricsObserver(logger: Logger, metrics: Metrics): ScaleUpObserver {
  const count = countMetric(metrics);
  return {
    invalidMessage(messageId, problem) {
      logger.error('demand message unreadable, acknowledged', { messageId, problem });
      metrics.addMetric(Metric.demandInvalid, MetricUnit.Count, 1);
    },
    skipped(jobId, reason) {
      logger.info('job skipped', { jobId, reason });
      count(Metric.demandSkipped, { [Dimension.reason]: reason });
    },
    refused(jobId, reason) {
      logger.warn('job refused before launch', { jobId, reason });
      count(Metric.demandRefused, { [Dimension.reason]: reason });
    },
    unroutable(jobId, reason) {
      logger.warn('no pool serves job', { jobId, reason });
      count(Metric.jobsUnroutable, { [Dimension.reason]: reason });
    },
    coolDownLaunches(pool, jobs) {
      logger.info('pool launches on-demand while spot interruptions cool down', { pool, jobs });
      count(Metric.coolDownLaunches, { [Dimension.pool]: pool }, jobs);
    },
    waitingOnLimit(pool, jobs) {
      logger.info('demand waits on a limit', { pool, jobs });
      count(Metric.demandWaiting, { [Dimension.pool]: pool }, jobs);
    },
    deferred(pool, reason, jobs) {
      logger.info('demand deferred', { pool, reason, jobs });
      count(Metric.demandDeferred, { [Dimension.reason]: reason }, jobs);
    },
    demandAtRisk(jobId, pool) {
      logger.warn('job may outwait GitLab pending limit', { jobId, pool });
      metrics.addMetric(Metric.demandAtRisk, MetricUnit.Count, 1);
    },
    demandExpired(jobId) {
      logger.error('demand expired unlaunched', { jobId });
      metrics.addMetric(Metric.demandExpired, MetricUnit.Count, 1);
    },
    launched(pool, lifecycle, instances) {
      logger.info('instances launched', { pool, lifecycle, instances });
      count(
        Metric.instancesLaunched,
        { [Dimension.pool]: pool, [Dimension.lifecycle]: lifecycle },
        instances,
      );
    },
    shortfall(pool, code, instances) {
      logger.warn('launch shortfall', { pool, code, instances });
      count(Metric.launchShortfall, { [Dimension.pool]: pool, [Dimension.code]: code }, instances);
    },
    gitlabAuthFailure(status) {
      logger.error('GitLab refused the API token: check the token and its scopes', { status });
      metrics.addMetric(Metric.gitlabAuthFailures, MetricUnit.Count, 1);
    },
    failed(stage, jobId, error) {
      if (!(error instanceof GitlabAuthError)) logger.error('scale-up step failed', { stage, jobId, error });
      count(Metric.scaleUpFailures, { [Dimension.stage]: stage });
    },
    webhookToLaunchMs(pool, ms) {
      count(Metric.webhookToLaunch, { [Dimension.pool]: pool }, Math.max(0, ms), MetricUnit.Milliseconds);
    },
  };
}

/** A {@link WarmClaimObserver} that logs and emits `WarmClaimed`, and counts failures as the `warm` stage. */
export function warmClaimMetrics(logger: Logger, metrics: Metrics): WarmClaimObserver {
  const count = countMetric(metrics);
  return {
    claimed(pool, instances) {
      logger.info('ready instances claimed', { pool, instances });
      count(Metric.warmClaimed, { [Dimension.pool]: pool }, instances);
    },
    failed(error) {
      logger.error('scale-up step failed', { stage: 'warm', error });
      count(Metric.scaleUpFailures, { [Dimension.stage]: 'warm' });
    },
  };
}
