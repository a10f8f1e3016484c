import type { SpotlabConfig } from '../../lib/config/schema';
import type { FleetInstance } from '../aws/fleet';

/** One instance a drain waits for, and how it is expected to go. */
export interface Remaining {
  readonly instanceId: string;
  readonly pool: string;
  readonly state: string;
  readonly jobId: number | null;
  /** `running a job`, `idle`, or `shutting down`. */
  readonly activity: 'running a job' | 'idle' | 'shutting down';
  /** How it ends, in the operator's words. */
  readonly endsWhen: string;
}

/**
 * What is left while draining. A job runs to its end and its instance is terminated by the
 * lifecycle consumer (or powers itself off); an idle instance is reaped once idle past its pool's
 * `idleTimeoutSeconds` plus the reaper's boot grace; every instance ends by `maxLifetimeMinutes`.
 */
export function remainingInstances(
  config: Readonly<SpotlabConfig>,
  fleet: readonly FleetInstance[],
): Remaining[] {
  return fleet.map((instance) => {
    const pool = config.pools.find((p) => p.name === instance.pool);
    const lifetime = pool === undefined ? '' : `, at most ${pool.maxLifetimeMinutes} min after launch`;
    const base = {
      instanceId: instance.instanceId,
      pool: instance.pool,
      state: instance.state,
      jobId: instance.job?.id ?? null,
    };
    if (instance.state === 'shutting-down' || instance.state === 'stopping')
      return { ...base, activity: 'shutting down' as const, endsWhen: 'within minutes' };
    if (instance.job?.state === 'running')
      return {
        ...base,
        activity: 'running a job' as const,
        endsWhen: `when job ${instance.job.id} ends${lifetime}`,
      };
    const idle =
      pool === undefined
        ? 'when the reaper finds it idle'
        : `reaped once idle for ${pool.idleTimeoutSeconds}s (+${config.reaper.bootGraceSeconds}s boot grace)`;
    return { ...base, activity: 'idle' as const, endsWhen: `${idle}${lifetime}` };
  });
}
