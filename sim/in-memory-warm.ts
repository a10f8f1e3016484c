import type { WarmLauncher } from '../lambdas/reaper/ports';
import type { LaunchedInstance } from '../lambdas/scale-up/ports';
import type { WarmRegistry } from '../lambdas/shared/job-table/warm-registry';
import { TagKey } from '../lambdas/shared/naming';
import type { InMemoryEc2 } from './in-memory-ec2';

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

/**
 * The in-memory {@link WarmLauncher}: the simulated EC2's CreateFleet, with the reaper's warm tags;
 * `started` learns of each instance (the simulator boots a VM for it).
 */
export function inMemoryWarmLauncher(
  ec2: Pick<InMemoryEc2, 'launch'>,
  stackName: string,
  started: (instance: LaunchedInstance, pool: string) => void = () => undefined,
): WarmLauncher {
  return {
    async launch(request) {
      const { instances } = await ec2.launch({
        pool: request.pool,
        launchTemplateId: request.launchTemplateId,
        overrides: request.instanceTypes.flatMap((instanceType) =>
          request.subnetIds.map((subnetId) => ({ subnetId, instanceType })),
        ),
        count: request.count,
        lifecycle: 'spot',
        clientToken: request.clientToken,
        tags: { [TagKey.stack]: stackName, [TagKey.pool]: request.pool, [TagKey.warm]: 'ready' },
      });
      for (const instance of instances) started(instance, request.pool);
      return instances.map((instance) => instance.instanceId);
    },
  };
}
