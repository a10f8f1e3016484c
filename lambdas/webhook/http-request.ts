import * as z from 'zod/mini';
import { RequestRefusedError } from './errors';

/** GitLab job hooks are a few KB; anything near this is not one of them. */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * What both payload versions carry alike. REST APIs (payload v1) send null for no headers and no
 * body; HTTP APIs (v2) leave them out.
 */
const requestShape = {
  headers: z.optional(z.nullable(z.record(z.string(), z.optional(z.nullable(z.string()))))),
  body: z.optional(z.nullable(z.string())),
  isBase64Encoded: z.optional(z.nullable(z.boolean())),
};

/** HTTP API payload v2: the method is in `requestContext.http`. */
const httpApiEventSchema = z.looseObject({
  ...requestShape,
  requestContext: z.looseObject({ http: z.looseObject({ method: z.string() }) }),
});

/** REST API (Lambda proxy, payload v1), the front door when the WAF option is on. */
const restApiEventSchema = z.looseObject({ ...requestShape, httpMethod: z.string() });

/** What both payload versions carry, in one shape. */
interface ApiGatewayRequest {
  readonly method: string;
  readonly headers: Readonly<Record<string, string | null | undefined>>;
  readonly body: string;
  readonly isBase64Encoded: boolean;
}

function parseApiGatewayEvent(event: unknown): ApiGatewayRequest | undefined {
  const v2 = httpApiEventSchema.safeParse(event);
  if (v2.success) return normalise(v2.data.requestContext.http.method, v2.data);
  const v1 = restApiEventSchema.safeParse(event);
  if (v1.success) return normalise(v1.data.httpMethod, v1.data);
  return undefined;
}

function normalise(
  method: string,
  event: z.infer<typeof restApiEventSchema> | z.infer<typeof httpApiEventSchema>,
): ApiGatewayRequest {
  return {
    method,
    headers: event.headers ?? {},
    body: event.body ?? '',
    isBase64Encoded: event.isBase64Encoded ?? false,
  };
}

/** An HTTP request reduced to what the webhook needs: lowercase header names, raw body bytes. */
export interface WebhookRequest {
  readonly method: string;
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Buffer;
}

/**
 * Reads an API Gateway event: an HTTP API's (payload v2) or a REST API's (payload v1). An HTTP
 * API lowercases header names, a REST API keeps them as sent, so names are folded here once.
 * @throws RequestRefusedError `method_not_allowed` or `too_large`; nothing else is checked yet.
 */
export function readApiGatewayEvent(event: unknown): WebhookRequest {
  const parsed = parseApiGatewayEvent(event);
  // API Gateway always sends these fields; without them the caller is not API Gateway.
  if (parsed === undefined) throw new RequestRefusedError('not_job_hook');
  const { method, headers, body, isBase64Encoded } = parsed;
  if (method.toUpperCase() !== 'POST') throw new RequestRefusedError('method_not_allowed');
  // Refuse by the encoded length first, so an oversized body is never decoded.
  const maxEncoded = isBase64Encoded ? Math.ceil(MAX_BODY_BYTES / 3) * 4 : MAX_BODY_BYTES * 4;
  if (body.length > maxEncoded) throw new RequestRefusedError('too_large');
  const bytes = Buffer.from(body, isBase64Encoded ? 'base64' : 'utf8');
  if (bytes.length > MAX_BODY_BYTES) throw new RequestRefusedError('too_large');
  const folded = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string') folded.set(name.toLowerCase(), value);
  }
  return { method: 'POST', headers: folded, body: bytes };
}
