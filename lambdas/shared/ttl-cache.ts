/**
 * Memoises an async loader for `ttlMs`. Concurrent callers share one in-flight load, and a failed
 * load is not cached, so the next caller tries again.
 */
export function cachedLoader<T>(
  load: () => Promise<T>,
  ttlMs: number,
  now: () => number = Date.now,
): () => Promise<T> {
  let cached: { value: Promise<T>; expiresAt: number } | undefined;
  return () => {
    const at = now();
    if (cached !== undefined && at < cached.expiresAt) return cached.value;
    const value = load();
    const entry = { value, expiresAt: at + ttlMs };
    cached = entry;
    value.catch(() => {
      if (cached === entry) cached = undefined;
    });
    return value;
  };
}
