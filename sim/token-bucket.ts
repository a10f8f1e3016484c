/**
 * EC2's throttling model: a bucket of `capacity` tokens refilled at `refillPerSecond`, one token
 * per call (or per instance, for the resource buckets). An empty bucket means RequestLimitExceeded.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    readonly capacity: number,
    readonly refillPerSecond: number,
    private readonly now: () => number,
  ) {
    this.tokens = capacity;
    this.updatedAt = now();
  }

  /** Takes `count` tokens if there are enough; false (and nothing taken) otherwise. */
  take(count = 1): boolean {
    const at = this.now();
    this.tokens = Math.min(
      this.capacity,
      this.tokens + ((at - this.updatedAt) / 1000) * this.refillPerSecond,
    );
    this.updatedAt = at;
    if (this.tokens < count) return false;
    this.tokens -= count;
    return true;
  }
}
