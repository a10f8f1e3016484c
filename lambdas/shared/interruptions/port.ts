import type { NotedInterruption } from './cool-down';

/**
 * The interruption log: per pool, the recent spot interruptions that hit a job. The lifecycle
 * writes it, scale-up reads it to choose spot or on-demand (`cool-down.ts`).
 */
export interface InterruptionLog {
  /**
   * Records that spot interrupted `instanceId`, which ran a job of `pool`, now.
   * @returns whether the entry is new (a redelivered warning for the same instance is not).
   */
  note(pool: string, instanceId: string): Promise<boolean>;
  /** Each pool's recent interruptions, newest first; a pool never interrupted has none. */
  recent(pools: readonly string[]): Promise<ReadonlyMap<string, readonly NotedInterruption[]>>;
}
