import { PermanentError } from '../shared/errors';

/** Why a request was refused; also the `reason` dimension of the refusal metric. */
export type RefusalReason =
  | 'method_not_allowed'
  | 'too_large'
  | 'missing_token'
  | 'bad_token'
  | 'missing_signature'
  | 'bad_signature'
  | 'stale_signature'
  | 'not_json'
  | 'not_job_hook'
  | 'other_gitlab';

const STATUS_OF: Record<RefusalReason, 400 | 401 | 403 | 405 | 413> = {
  method_not_allowed: 405,
  too_large: 413,
  missing_token: 401,
  bad_token: 401,
  missing_signature: 401,
  bad_signature: 401,
  stale_signature: 401,
  not_json: 400,
  not_job_hook: 400,
  other_gitlab: 403,
};

/** The request itself is wrong; sending it again cannot succeed. Nothing was enqueued. */
export class RequestRefusedError extends PermanentError {
  override readonly name = 'RequestRefusedError';
  readonly statusCode: 400 | 401 | 403 | 405 | 413;
  constructor(readonly reason: RefusalReason) {
    super(`webhook request refused: ${reason}`);
    this.statusCode = STATUS_OF[reason];
  }
}

// Shared with the reaper, which enqueues lost demand through the same adapter.
export { QueueUnavailableError } from '../shared/errors';
