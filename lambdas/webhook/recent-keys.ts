/**
 * A bounded set of idempotency keys this Lambda environment has already enqueued. It catches a
 * resend that lands on the same warm environment for free; the authoritative dedupe is the
 * consumer's conditional write on the job id, since environments do not share memory.
 */
export class RecentKeys {
  private readonly keys = new Set<string>();
  constructor(private readonly capacity = 2048) {}

  /** True when `key` was remembered and has not been evicted yet. */
  has(key: string): boolean {
    return this.keys.has(key);
  }

  /** Remembers `key`, forgetting the oldest key beyond capacity (Set keeps insertion order). */
  remember(key: string): void {
    this.keys.delete(key);
    this.keys.add(key);
    if (this.keys.size > this.capacity) {
      const oldest = this.keys.values().next();
      if (oldest.done !== true) this.keys.delete(oldest.value);
    }
  }
}
