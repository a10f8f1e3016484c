import type { JobItem, ReaperInstance, TokenParameter } from './ports';

/** How long an instance of a pool may idle and live. */
export interface PoolLimits {
  readonly idleTimeoutSeconds: number;
  readonly maxLifetimeMinutes: number;
}

/** The bounds the sweep enforces. */
export interface ReapingSettings {
  /** By pool name; an instance of a pool not listed gets the strictest limits of those listed. */
  readonly poolLimits: Readonly<Record<string, PoolLimits>>;
  /** An instance whose token is still unread this long after launch never booted right. */
  readonly tokenPickupSeconds: number;
  /** Boot time allowed on top of a pool's idle timeout. */
  readonly bootGraceSeconds: number;
}

/** What one sweep saw. */
export interface ReapingSnapshot {
  readonly instances: readonly ReaperInstance[];
  readonly jobs: readonly JobItem[];
  readonly tokens: readonly TokenParameter[];
  readonly nowMs: number;
}

/** Why an instance is terminated; also the `kind` dimension of `OrphansReaped`. */
export type TerminationReason = 'instance_no_token' | 'instance_idle' | 'instance_lifetime';

/** An instance to terminate. */
export interface Termination {
  readonly instanceId: string;
  readonly pool: string;
  readonly reason: TerminationReason;
}

/** A job item whose instance is gone: delete its runner, then mark it. */
export interface Cleanup {
  readonly jobId: number;
  readonly instanceId: string;
  readonly runnerId: number | undefined;
  /** The job never ran (still `launched`): mark it `lost` so its demand may launch again. */
  readonly lost: boolean;
}

/** What a sweep does. */
export interface ReapingPlan {
  readonly terminate: readonly Termination[];
  readonly cleanups: readonly Cleanup[];
  /** Instances whose token parameter is to be deleted. */
  readonly tokens: readonly string[];
}

/**
 * DescribeInstances is eventually consistent: an instance launched seconds ago may not be listed
 * yet. Anything younger than this whose instance is not listed is left to the next sweep.
 */
export const GONE_AFTER_SECONDS = 120;

/**
 * Decides what to terminate and what to clean up from one sweep's snapshots. Pure: the same
 * snapshots give the same plan, so two sweeps at once plan the same (idempotent) actions.
 */
export function decideReaping(snapshot: ReapingSnapshot, settings: ReapingSettings): ReapingPlan {
  const terminate = snapshot.instances.flatMap((instance) => {
    const reason = terminationReason(instance, snapshot, settings);
    return reason === undefined ? [] : [{ instanceId: instance.instanceId, pool: instance.pool, reason }];
  });
  const ending = new Set(terminate.map((t) => t.instanceId));
  const live = new Set(snapshot.instances.map((i) => i.instanceId));
  const settled = (atMs: number | undefined) =>
    atMs !== undefined && snapshot.nowMs - atMs > GONE_AFTER_SECONDS * 1000;
  const gone = (instanceId: string, atMs: number | undefined) =>
    ending.has(instanceId) || (!live.has(instanceId) && settled(atMs));

  const cleanups = snapshot.jobs.flatMap((job): Cleanup[] => {
    // An item the lifecycle consumer (or an earlier sweep) cleaned up is never touched again.
    if (job.cleanedUp || job.instanceId === undefined || !gone(job.instanceId, job.touchedAtMs)) return [];
    return [
      {
        jobId: job.jobId,
        instanceId: job.instanceId,
        runnerId: job.runnerId,
        lost: job.state === 'launched',
      },
    ];
  });
  const tokens = snapshot.tokens
    .filter((token) => gone(token.instanceId, token.lastModifiedMs))
    .map((token) => token.instanceId);
  return { terminate, cleanups, tokens };
}

function terminationReason(
  instance: ReaperInstance,
  snapshot: ReapingSnapshot,
  settings: ReapingSettings,
): TerminationReason | undefined {
  const limits = limitsOf(instance.pool, settings.poolLimits);
  const ageSeconds = (snapshot.nowMs - instance.launchedAtMs) / 1000;
  if (ageSeconds > limits.maxLifetimeMinutes * 60) return 'instance_lifetime';
  // The instance deletes its token the moment it reads it: a token still there means the
  // bootstrap never got that far (bad AMI, no route to SSM, a crash).
  const tokenUnread = snapshot.tokens.some((t) => t.instanceId === instance.instanceId);
  if (tokenUnread && ageSeconds > settings.tokenPickupSeconds) return 'instance_no_token';
  const jobRunning = snapshot.jobs.some((j) => j.state === 'running' && j.instanceId === instance.instanceId);
  if (!jobRunning && ageSeconds > limits.idleTimeoutSeconds + settings.bootGraceSeconds)
    return 'instance_idle';
  return undefined;
}

/** A pool's limits; for a pool the configuration does not name, the strictest of all. */
export function limitsOf(pool: string, limits: Readonly<Record<string, PoolLimits>>): PoolLimits {
  const own = limits[pool];
  if (own !== undefined) return own;
  const all = Object.values(limits);
  return {
    idleTimeoutSeconds: Math.min(...all.map((l) => l.idleTimeoutSeconds)),
    maxLifetimeMinutes: Math.min(...all.map((l) => l.maxLifetimeMinutes)),
  };
}
