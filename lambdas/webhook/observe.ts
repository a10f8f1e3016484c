import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Dimension, Metric } from '../shared/metric-names';
import { RequestRefusedError } from './errors';
import type { IntakeResult } from './intake';

/** Logs and counts what happened to an authenticated request. Never logs headers or secrets. */
export function recordResult(result: IntakeResult, logger: Logger, metrics: Metrics): void {
  if (result.outcome === 'accepted') {
    const { kind, jobId, projectId, status, idempotencyKey } = result.message;
    logger.info('job event enqueued', { kind, jobId, projectId, status, idempotencyKey });
    count(metrics, Metric.webhookAccepted, Dimension.kind, kind);
    return;
  }
  logger.debug('webhook event ignored', {
    reason: result.reason,
    jobId: result.jobId,
    status: result.status,
  });
  count(metrics, Metric.webhookIgnored, Dimension.reason, result.reason);
}

/** Logs and counts a refused or failed request; the caller still maps it to a reply. */
export function recordError(error: unknown, logger: Logger, metrics: Metrics): void {
  if (error instanceof RequestRefusedError) {
    logger.warn('webhook request refused', { reason: error.reason, statusCode: error.statusCode });
    count(metrics, Metric.webhookRefused, Dimension.reason, error.reason);
    // The total too: the alarm on bursts of refusals cannot sum over reasons it does not know, and
    // a refusal reason added later would otherwise escape it.
    metrics.singleMetric().addMetric(Metric.webhookRefused, MetricUnit.Count, 1);
    return;
  }
  const reason = error instanceof Error ? error.name : 'unknown';
  logger.error('webhook request failed', { reason, error });
  count(metrics, Metric.webhookFailed, Dimension.reason, reason);
}

// Each request records exactly one outcome, so the invocation's single EMF blob carries one
// dimension; Powertools clears dimensions after every flush.
function count(metrics: Metrics, name: string, dimension: string, value: string): void {
  metrics.addDimension(dimension, value);
  metrics.addMetric(name, MetricUnit.Count, 1);
}
