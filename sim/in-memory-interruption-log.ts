import { type NotedInterruption, withInterruption } from '../lambdas/shared/interruptions/cool-down';
import type { InterruptionLog } from '../lambdas/shared/interruptions/port';

/** The interruption log in memory, with the production adapter's dedupe and pruning. */
export function inMemoryInterruptionLog(now: () => number): InterruptionLog & {
  readonly pools: ReadonlyMap<string, readonly NotedInterruption[]>;
} {
  const pools = new Map<string, NotedInterruption[]>();
  return {
    pools,
    async note(pool, instanceId) {
      const recent = withInterruption(pools.get(pool) ?? [], { instanceId, atMs: now() });
      if (recent === undefined) return false;
      pools.set(pool, recent);
      return true;
    },
    async recent(names) {
      const found = new Map<string, readonly NotedInterruption[]>();
      for (const name of names) {
        const recent = pools.get(name);
        if (recent !== undefined) found.set(name, recent);
      }
      return found;
    },
  };
}
