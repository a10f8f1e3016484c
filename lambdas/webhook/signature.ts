import { createHmac, timingSafeEqual } from 'node:crypto';
import { RequestRefusedError } from './errors';

/** Standard Webhooks' replay window: older (or further in the future) deliveries are refused. */
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

/** The headers a signed delivery carries (names lowercase). */
export interface SignatureHeaders {
  readonly id: string | undefined;
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
}

/**
 * Verifies a GitLab signed webhook (Standard Webhooks): `webhook-signature` lists space-separated
 * `v1,<base64 HMAC-SHA256>` entries over `<webhook-id>.<webhook-timestamp>.<raw body>`, keyed with
 * the base64 part of the `whsec_` signing token. Several entries appear while a token rotates.
 * @throws RequestRefusedError `missing_signature`, `stale_signature` or `bad_signature`.
 */
export function verifySignature(
  headers: SignatureHeaders,
  body: Buffer,
  signingToken: string,
  nowMs: number,
): void {
  const { id, timestamp, signature } = headers;
  if (id === undefined || timestamp === undefined || signature === undefined) {
    throw new RequestRefusedError('missing_signature');
  }
  const sentAt = /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : Number.NaN;
  if (!(Math.abs(nowMs / 1000 - sentAt) <= SIGNATURE_TOLERANCE_SECONDS)) {
    throw new RequestRefusedError('stale_signature');
  }
  const expected = createHmac('sha256', signingKey(signingToken))
    .update(`${id}.${timestamp}.`)
    .update(body)
    .digest();
  const matches = signature
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => Buffer.from(entry.slice(3), 'base64'))
    .some((candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected));
  if (!matches) throw new RequestRefusedError('bad_signature');
}

function signingKey(token: string): Buffer {
  return Buffer.from(token.startsWith('whsec_') ? token.slice('whsec_'.length) : token, 'base64');
}
