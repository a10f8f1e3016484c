import * as z from 'zod/mini';
import { RequestRefusedError } from './errors';

/** GitLab job hooks are a few KB; anything near this is not one of them. */
export const MAX_BODY_BYTES = 1024 * 1024;

const httpApiEventSchema = z.looseObject({
  requestContext: z.looseObject({ http: z.looseObject({ method: z.string() }) }),
  headers: z.optional(z.record(z.string(), z.optional(z.string()))),
  body: z.optional(z.string()),
  isBase64Encoded: z.optional(z.boolean()),
});

/** An HTTP request reduced to what the webhook needs: lowercase header names, raw body bytes. */
export interface WebhookRequest {
  readonly method: string;
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Buffer;
}

/**
 * Reads an API Gateway HTTP API (payload v2) event. API Gateway lowercases header names, but a
 * direct invoke or another front door may not, so names are folded here once.
 * @throws RequestRefusedError `method_not_allowed` or `too_large`; nothing else is checked yet.
 */
export function readHttpApiEvent(event: unknown): WebhookRequest {
  const parsed = httpApiEventSchema.safeParse(event);
  // API Gateway always sends these fields; without them the caller is not API Gateway.
  if (!parsed.success) throw new RequestRefusedError('not_job_hook');
  const { requestContext, headers = {}, body = '', isBase64Encoded = false } = parsed.data;
  if (requestContext.http.method.toUpperCase() !== 'POST')
    throw new RequestRefusedError('method_not_allowed');
  // Refuse by the encoded length first, so an oversized body is never decoded.
  const maxEncoded = isBase64Encoded ? Math.ceil(MAX_BODY_BYTES / 3) * 4 : MAX_BODY_BYTES * 4;
  if (body.length > maxEncoded) throw new RequestRefusedError('too_large');
  const bytes = Buffer.from(body, isBase64Encoded ? 'base64' : 'utf8');
  if (bytes.length > MAX_BODY_BYTES) throw new RequestRefusedError('too_large');
  const folded = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) folded.set(name.toLowerCase(), value);
  }
  return { method: 'POST', headers: folded, body: bytes };
}
