import type { ScenarioResult } from '../../report/model';
import { arrivals } from '../arrivals';
import type { SimParameters, TraceJob } from '../model';
import { sampleTimeline, summarise } from '../stats';
import { AutoscalerRun } from './run';

/** An idle-pool autoscaler's policy, as GitLab's `[runners.autoscaler]` and its `policy` set it. */
export interface AutoscalerPolicy {
  /** `idle_count`: idle capacity kept ready for jobs (capacity per instance is 1: instances). */
  readonly idleCount: number;
  /** `idle_time`: how long an instance beyond `idle_count` may sit idle before it is removed. */
  readonly idleTimeSeconds: number;
  /** `max_use_count`: jobs an instance runs before it is removed; 0 for no limit. */
  readonly maxUseCount: number;
  /** The always-on runner manager VM, USD per hour. */
  readonly managerUSDPerHour: number;
  readonly pricing: 'spot' | 'on-demand';
}

/** `autoscaler idle_count=5 idle_time=20m max_use_count=1 (on-demand)`. */
export function autoscalerName(policy: AutoscalerPolicy): string {
  const idleTime =
    policy.idleTimeSeconds % 60 === 0 ? `${policy.idleTimeSeconds / 60}m` : `${policy.idleTimeSeconds}s`;
  return `autoscaler idle_count=${policy.idleCount} idle_time=${idleTime} max_use_count=${policy.maxUseCount} (${policy.pricing})`;
}

/**
 * An idle-pool autoscaler like GitLab Runner's docker-autoscaler (taskscaler + fleeting), one job
 * per instance, over simulated time:
 * - the pool starts warm: `idle_count` idle instances when the trace begins;
 * - a job takes an idle instance at once (the most recently idle), else waits first come, first
 *   served; whenever idle plus booting instances fall short of waiting jobs plus `idle_count`, the
 *   shortfall is launched and each is ready when the start-up
 *   profile's runner asks for work (`launchToReadySeconds`);
 * - an instance that ran `max_use_count` jobs is removed; an idle instance is removed once it has
 *   been idle for `idle_time`, unless that would leave less than `idle_count` idle capacity;
 * - on spot, each job is interrupted with probability `interruptRate` at a random point of its run
 *   (seeded): the instance is gone and the job queues again, as a GitLab retry would;
 * - a manager VM runs the whole span. Tags are ignored: every instance takes every job.
 */
export function simulateAutoscaler(
  jobs: readonly TraceJob[],
  parameters: SimParameters,
  policy: AutoscalerPolicy,
): ScenarioResult {
  const run = new AutoscalerRun(arrivals(jobs), parameters, policy).run();
  return {
    name: autoscalerName(policy),
    summary: summarise(run, parameters.onDemandUSDPerHour, parameters.spotDiscount),
    timeline: sampleTimeline(run),
    waitsSeconds: run.waitsSeconds,
    keepsMachinesRunning: true,
  };
}
