/**
 * Milliseconds to wait before retrying, from a `Retry-After` header (delta-seconds or an HTTP
 * date, as RFC 9110 allows), else exponential backoff with full jitter. Capped so a retry never
 * outlives the Lambda that makes it.
 */
export function retryDelayMs(
  retryAfter: string | null,
  attempt: number,
  nowMs: number,
  random: () => number,
  capMs: number,
): number {
  const fromHeader = parseRetryAfter(retryAfter, nowMs);
  const delay = fromHeader ?? Math.round(random() * 250 * 2 ** attempt);
  return Math.min(Math.max(delay, 0), capMs);
}

function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : at - nowMs;
}
