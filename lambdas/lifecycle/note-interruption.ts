import type { JobRecord } from '../shared/job-table/record';
import type { LifecyclePorts } from './ports';

/**
 * Notes, once per pool, that spot interrupted `instanceId` while it ran `jobs`, for the pool's
 * cool-down (`lambdas/shared/interruptions/`). Only interruptions that hit a job count: an idle
 * instance's reclaim costs no run. A failed write is logged and costs the interruption's own
 * handling nothing: at worst the pool stays on spot a little longer.
 */
export async function noteInterruption(
  instanceId: string,
  jobs: readonly JobRecord[],
  ports: LifecyclePorts,
): Promise<void> {
  const log = ports.interruptions;
  if (log === undefined) return;
  const pools = new Set(jobs.flatMap((record) => (record.pool === undefined ? [] : [record.pool])));
  for (const pool of pools) {
    try {
      await log.note(pool, instanceId);
    } catch (error) {
      ports.observer.failed('interruptions', instanceId, error);
    }
  }
}
