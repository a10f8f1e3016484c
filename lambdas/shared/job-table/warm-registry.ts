import { createHash } from 'node:crypto';

/** A pool's ready instances and those claimed from it, each with when (epoch ms). */
export interface WarmRoster {
  /** Booted ahead of demand, waiting for a token: instance id → launch time. */
  readonly ready: ReadonlyMap<string, number>;
  /** Taken by scale-up for a job, until the reaper sees the instance gone: id → claim time. */
  readonly claimed: ReadonlyMap<string, number>;
}

/**
 * The ready instances of each pool with warm capacity, kept in the job table. The reaper adds and
 * forgets them; scale-up claims them one conditional write at a time, so two invocations never
 * take the same instance.
 */
export interface WarmRegistry {
  /** What is ready and claimed in `pool`, read strongly consistent. */
  roster(pool: string): Promise<WarmRoster>;
  /** Records instances the reaper launched as ready. */
  addReady(pool: string, instanceIds: readonly string[], launchedAtMs: number): Promise<void>;
  /** @returns true when this call took the instance; false when it was not (or no longer) ready. */
  claim(pool: string, instanceId: string, claimedAtMs: number): Promise<boolean>;
  /** Drops instances, ready or claimed, that are gone or being terminated. */
  forget(pool: string, instanceIds: readonly string[]): Promise<void>;
}

/**
 * The job-table key of a pool's warm item: a negative number, which no GitLab job id is, derived
 * from the pool's name (48 bits of its SHA-256: exact in a double, and no two pools of one
 * configuration meet). The item carries none of the indexed attributes, so no index lists it.
 */
export function warmItemKey(pool: string): number {
  return -Number.parseInt(createHash('sha256').update(`warm|${pool}`).digest('hex').slice(0, 12), 16);
}
