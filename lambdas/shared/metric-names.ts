/**
 * Metric names and dimensions, shared by the Lambdas that emit them (EMF) and the alarms and
 * dashboard in `lib/` that read them. Change a name here and both sides follow.
 */
export const METRICS_NAMESPACE = 'Spotlab';

/** Metric names. */
export const Metric = {
  /** An authenticated Job Hook enqueued as demand or lifecycle. Dimension: `kind`. */
  webhookAccepted: 'WebhookAccepted',
  /** An authenticated event acknowledged and dropped. Dimension: `reason`. */
  webhookIgnored: 'WebhookIgnored',
  /** A request refused with 4xx. Dimension: `reason`. */
  webhookRefused: 'WebhookRefused',
  /** A request that failed on Spotlab's side (5xx). Dimension: `reason`. */
  webhookFailed: 'WebhookFailed',
} as const;

/** Dimension names. */
export const Dimension = {
  kind: 'kind',
  reason: 'reason',
} as const;
