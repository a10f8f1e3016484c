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

/**
 * {@link cachedLoader} per key: each key's value is memoised for `ttlMs`, concurrent callers of one
 * key share one load, a failed load is not cached. At most `maxEntries` keys are kept (the oldest
 * goes first), so a stream of distinct keys cannot grow a warm Lambda's memory without bound.
 */
export function keyedCachedLoader<K, T>(
  load: (key: K) => Promise<T>,
  ttlMs: number,
  now: () => number = Date.now,
  maxEntries = 10_000,
): (key: K) => Promise<T> {
  const cache = new Map<K, { value: Promise<T>; expiresAt: number }>();
  return (key) => {
    const at = now();
    const hit = cache.get(key);
    if (hit !== undefined && at < hit.expiresAt) return hit.value;
    cache.delete(key);
    const value = load(key);
    const entry = { value, expiresAt: at + ttlMs };
    cache.set(key, entry);
    for (const oldest of cache.keys()) {
      if (cache.size <= maxEntries) break;
      cache.delete(oldest);
    }
    value.catch(() => {
      if (cache.get(key) === entry) cache.delete(key);
    });
    return value;
  };
}
