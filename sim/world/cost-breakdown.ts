import { controlPlaneUsdPerJob, instanceExtrasUsd } from '../../lib/cost/per-job';
import { billedMinutes, round } from '../../planner/stats';
import type { Pricing } from './measure';
import type { World } from './world';

/** A run's cost by what AWS bills for, in USD to 4 decimals (the cents of `costUSD` would hide the small lines). */
export interface CostBreakdownUSD {
  /** Instance time, spot at its discount: the scenario's `costUSD`. */
  readonly instances: number;
  /** Each instance's gp3 root volume (its pool's `diskSizeGiB`) while it exists. */
  readonly ebs: number;
  /** The public IPv4 address each runner has (public subnets, no NAT gateway). */
  readonly publicIpv4: number;
  /** API Gateway, Lambda, SQS, DynamoDB, KMS and logs, per GitLab job (retries included). */
  readonly controlPlane: number;
  readonly total: number;
}

/**
 * What a run cost besides instance time: EBS and IPv4 over each instance's billed minutes (the
 * volume and the address live as long as the instance), and the control plane per GitLab job.
 * `diskSizeGiB` tells each pool's volume size.
 */
export function costBreakdown(
  world: World,
  pricing: Pricing,
  diskSizeGiB: (pool: string) => number,
): CostBreakdownUSD {
  let instances = 0;
  let ebs = 0;
  let publicIpv4 = 0;
  for (const instance of world.ec2.instances.values()) {
    const toMs = world.vms.get(instance.instanceId)?.endedAt ?? world.scheduler.now;
    const minutes = billedMinutes({ fromMs: instance.launchedAt, toMs });
    const discount = instance.lifecycle === 'spot' ? 1 - pricing.spotDiscount : 1;
    instances += (pricing.usdPerHour(instance.instanceType) * discount * minutes) / 60;
    const extras = instanceExtrasUsd(minutes, diskSizeGiB(instance.pool));
    ebs += extras.ebs;
    publicIpv4 += extras.publicIpv4;
  }
  const controlPlane = world.attempts.size * controlPlaneUsdPerJob();
  return {
    instances: round(instances, 4),
    ebs: round(ebs, 4),
    publicIpv4: round(publicIpv4, 4),
    controlPlane: round(controlPlane, 4),
    total: round(instances + ebs + publicIpv4 + controlPlane, 4),
  };
}
