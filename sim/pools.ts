import type { RuntimePool } from '../lambdas/scale-up/runtime-pool';
import { DEFAULT_SPOT_COOL_DOWN } from '../lambdas/shared/pool';

/**
 * A docker pool as the simulations declare it: tags `docker`, `linux` and the architecture, a
 * launch template named after the pool, an hour's job timeout. `overrides` set the rest.
 */
export function dockerPool(
  name: string,
  architecture: 'arm64' | 'x86_64',
  instanceTypes: string[],
  overrides: Partial<RuntimePool> = {},
): RuntimePool {
  return {
    name,
    tags: ['docker', 'linux', architecture],
    runUntagged: false,
    architecture,
    launchTemplateId: `lt-0${name}`,
    instanceTypes,
    maxInstances: 300,
    onDemandFallback: true,
    onDemandForRetries: false,
    spotCoolDown: DEFAULT_SPOT_COOL_DOWN,
    jobTimeoutSeconds: 3600,
    ...overrides,
  };
}
