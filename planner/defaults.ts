import type { SimParameters } from './model';
import { STARTUP_PROFILES } from './startup-profile';

/**
 * The defaults of `spotlab simulate`. Each is a flag; docs/simulate.md cites the source of every
 * figure, and a run prints the values it used next to its results.
 */
export const DEFAULT_PARAMETERS: Readonly<SimParameters> = Object.freeze({
  seed: 1,
  // Stock Amazon Linux 2023: the bootstrap installs Docker and gitlab-runner on every boot
  // (planner/startup-profile.ts cites each stage).
  startup: STARTUP_PROFILES.stock,
  // Most spot users save 50–70% off on-demand (AWS advertises "up to 90%"): 60% is the middle.
  spotDiscount: 0.6,
  // AWS's own figure, repeated by nOps from its fleet data: fewer than 5% of spot instances are
  // interrupted in a month; a CI job lives minutes, so 5% per job is pessimistic on purpose.
  interruptRate: 0.05,
  // m7g.large, Linux, us-east-1 (the arm64 pool's first type in the bundled configuration).
  onDemandUSDPerHour: 0.0816,
});

/**
 * The idle-pool autoscaler's defaults: GitLab's own Docker Autoscaler example for AWS ("1 job per
 * instance": capacity 1, use count 1, idle scale 5, idle time 20 minutes).
 */
export const DEFAULT_AUTOSCALER = Object.freeze({
  idleCount: 5,
  idleTimeSeconds: 20 * 60,
  maxUseCount: 1,
  // The runner manager must not be a spot instance (GitLab's autoscaler docs); a t3.medium
  // on-demand in us-east-1 is $0.0416 per hour.
  managerUSDPerHour: 0.0416,
  pricing: 'on-demand' as const,
});
