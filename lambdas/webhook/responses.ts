import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { SpotlabError } from '../shared/errors';
import { RequestRefusedError } from './errors';
import type { IntakeResult } from './intake';

/** The reply API Gateway sends back to GitLab. */
export type HttpResponse = APIGatewayProxyStructuredResultV2;

const json = (statusCode: number, body: object, headers: Record<string, string> = {}): HttpResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

/** Authenticated events all get 202: GitLab pauses a webhook after four failures in a row. */
export function resultResponse(result: IntakeResult): HttpResponse {
  return json(202, { status: result.outcome });
}

// One fixed body per status: a refusal tells the caller nothing about why beyond the status
// (a 401 for a missing token reads exactly like one for a wrong token).
const REFUSAL_BODY: Record<RequestRefusedError['statusCode'], string> = {
  400: 'bad request',
  401: 'unauthorized',
  403: 'forbidden',
  405: 'method not allowed',
  413: 'payload too large',
};

/** Maps a thrown error to a reply that reveals no internals. */
export function errorResponse(error: unknown): HttpResponse {
  if (error instanceof RequestRefusedError) {
    const headers: Record<string, string> = error.statusCode === 405 ? { allow: 'POST' } : {};
    return json(error.statusCode, { message: REFUSAL_BODY[error.statusCode] }, headers);
  }
  if (error instanceof SpotlabError && error.retryable)
    return json(503, { message: 'temporarily unavailable' });
  return json(500, { message: 'internal error' });
}
