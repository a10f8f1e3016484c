import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { GitlabAuthError } from '../shared/gitlab/errors';
import { Dimension, Metric } from '../shared/metric-names';
import { countMetric } from '../shared/observability';
import type { LifecycleObserver } from './observer';

/** A {@link LifecycleObserver} that logs (constant messages, no secrets) and emits EMF metrics. */
export function lifecycleMetricsObserver(logger: Logger, metrics: Metrics): LifecycleObserver {
  const count = countMetric(metrics);
  return {
    invalidMessage(messageId, problem) {
      logger.error('lifecycle message unreadable, acknowledged', { messageId, problem });
      count(Metric.lifecycleInvalid, {});
    },
    ignored(reason, subject) {
      // Most state changes are for instances of other stacks: debug, not info.
      logger.debug('lifecycle event needs nothing', { reason, subject });
      count(Metric.lifecycleIgnored, { [Dimension.reason]: reason });
    },
    jobRunning(jobId, instanceId, pool, waitMs) {
      logger.info('job runs on a Spotlab runner', { jobId, instanceId, pool });
      if (waitMs !== undefined)
        count(Metric.jobWait, { [Dimension.pool]: pool }, Math.max(0, waitMs), MetricUnit.Milliseconds);
    },
    instanceTerminated(instanceId, reason) {
      logger.info('instance terminated', { instanceId, reason });
      count(Metric.instancesTerminated, { [Dimension.reason]: reason });
    },
    runnerDeleted(runnerId, reason) {
      logger.info('runner deleted', { runnerId, reason });
      count(Metric.runnersDeleted, { [Dimension.reason]: reason });
    },
    spotInterruption(instanceId, jobId) {
      logger.warn('spot interruption warning', { instanceId, jobId });
      count(Metric.spotInterruptions, { [Dimension.kind]: jobId === undefined ? 'idle' : 'job_running' });
    },
    jobRetried(jobId, retriedJobId) {
      logger.info('interrupted job retried', { jobId, retriedJobId });
      count(Metric.jobsRetried, {});
    },
    demandDisplaced(jobId, instanceId) {
      logger.info('job lost its launched instance to another job, enqueued again', { jobId, instanceId });
      count(Metric.demandDisplaced, {});
    },
    retryRefused(jobId) {
      logger.warn('GitLab refused to retry an interrupted job', { jobId });
      count(Metric.jobRetriesRefused, {});
    },
    unrecordedRunnerIgnored(jobId, claim, status) {
      // A Maintainer can name a runner `spotlab job …`, and the webhook secret can forge a hook:
      // worth a look when it recurs.
      logger.warn('hook names a runner no Spotlab launch recorded, ignored', {
        jobId,
        runnerId: claim.runnerId,
        launchJobId: claim.launchJobId,
        status,
      });
      count(Metric.unrecordedRunnerIgnored, { [Dimension.kind]: status });
    },
    gitlabAuthFailure(status) {
      logger.error('GitLab refused the API token: check the token and its scopes', { status });
      count(Metric.gitlabAuthFailures, {});
    },
    failed(stage, subject, error) {
      if (!(error instanceof GitlabAuthError))
        logger.error('lifecycle step failed', { stage, subject, error });
      count(Metric.lifecycleFailures, { [Dimension.stage]: stage });
    },
  };
}
