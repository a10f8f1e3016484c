import type { WarmRegistry } from '../lambdas/shared/job-table/warm-registry';

/** The in-memory {@link WarmRegistry}: the simulator's and the tests'. */
export function inMemoryWarmRegistry(): WarmRegistry & { readonly pools: Map<string, WarmRosterState> } {
  const pools = new Map<string, WarmRosterState>();
  const of = (pool: string): WarmRosterState => {
    const state = pools.get(pool) ?? { ready: new Map(), claimed: new Map() };
    pools.set(pool, state);
    return state;
  };
  return {
    pools,
    async roster(pool) {
      const state = of(pool);
      return { ready: new Map(state.ready), claimed: new Map(state.claimed) };
    },
    async addReady(pool, instanceIds, launchedAtMs) {
      for (const id of instanceIds) of(pool).ready.set(id, launchedAtMs);
    },
    async claim(pool, instanceId, claimedAtMs) {
      const state = of(pool);
      if (!state.ready.delete(instanceId)) return false;
      state.claimed.set(instanceId, claimedAtMs);
      return true;
    },
    async forget(pool, instanceIds) {
      const state = of(pool);
      for (const id of instanceIds) {
        state.ready.delete(id);
        state.claimed.delete(id);
      }
    },
  };
}

/** The mutable state behind {@link inMemoryWarmRegistry}. */
export interface WarmRosterState {
  readonly ready: Map<string, number>;
  readonly claimed: Map<string, number>;
}
