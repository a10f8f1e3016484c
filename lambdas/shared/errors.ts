/**
 * Base of Spotlab's typed errors. `retryable` tells a handler whether trying the same input again
 * can succeed (SQS redelivery, a 5xx that GitLab logs) or never will (refuse, acknowledge, alarm).
 */
export abstract class SpotlabError extends Error {
  abstract readonly retryable: boolean;
}

/** A failure that may pass on a later attempt: throttling, timeouts, a dependency's 5xx. */
export class TransientError extends SpotlabError {
  override name = 'TransientError';
  readonly retryable = true;
}

/** A failure that the same input will hit again: bad data, bad configuration. */
export class PermanentError extends SpotlabError {
  override name = 'PermanentError';
  readonly retryable = false;
}

/** SQS did not take a job message after the SDK's bounded retries. */
export class QueueUnavailableError extends TransientError {
  override readonly name = 'QueueUnavailableError';
}
