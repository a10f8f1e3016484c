import type { JobItem } from '../shared/job-table/views';
import type { ReaperInstance, TokenParameter } from './ports';

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
  /**
   * GitLab's answers for the runners {@link idleRunnerIds} named, by runner id. A runner not in the
   * map was not asked (no runner id known, or GitLab refused the token): the job table decides.
   */
  readonly runners?: ReadonlyMap<number, RunnerActivity>;
}

/**
 * What GitLab said of a runner: running a job, running none, or no answer (an error other than a
 * refused token).
 */
export type RunnerActivity = 'busy' | 'idle' | 'unknown';

/** Why an instance is terminated; also the `kind` dimension of `OrphansReaped`. */
export type TerminationReason = 'instance_no_token' | 'instance_idle' | 'instance_lifetime';

/**
 * Why an instance the job table shows idle is kept: its runner is running a job (the `running`
 * webhook was dropped or is late, and GitLab never sends it again), or GitLab could not say.
 */
export type SpareReason = 'idle_but_busy' | 'idle_unconfirmed';

/** An instance kept this sweep although the job table shows it idle. */
export interface Spared {
  readonly instanceId: string;
  readonly pool: string;
  readonly reason: SpareReason;
}

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
  /**
   * The launch record's instance, not the job's: the job ran on another instance, and the runner
   * registered here served some other job (or none). No other item names this runner.
   */
  readonly launch?: boolean;
}

/** What a sweep does. */
export interface ReapingPlan {
  readonly terminate: readonly Termination[];
  readonly spared: readonly Spared[];
  readonly cleanups: readonly Cleanup[];
  /** Instances whose token parameter is to be deleted. */
  readonly tokens: readonly string[];
  /** Launch records whose instance this sweep first saw gone: marked, their runner left for now. */
  readonly launchesGone: readonly { readonly jobId: number; readonly instanceId: string }[];
}

/**
 * DescribeInstances is eventually consistent: an instance launched seconds ago may not be listed
 * yet. Anything younger than this whose instance is not listed is left to the next sweep.
 */
export const GONE_AFTER_SECONDS = 120;

/**
 * How long the runner of a spot-warned instance, or of a launch whose instance a sweep found gone,
 * is left to the lifecycle consumer: when the job it ran is not in the table (its `running` webhook
 * was dropped), that runner is the only way to it, and the consumer may need the two-minute notice
 * plus two redeliveries (360 s visibility each).
 */
export const WARNED_HOLD_SECONDS = 15 * 60;

/**
 * Decides what to terminate and what to clean up from one sweep's snapshots. Pure: the same
 * snapshots give the same plan, so two sweeps at once plan the same (idempotent) actions.
 */
export function decideReaping(snapshot: ReapingSnapshot, settings: ReapingSettings): ReapingPlan {
  const terminate: Termination[] = [];
  const spared: Spared[] = [];
  for (const instance of snapshot.instances) {
    const reason = verdict(instance, snapshot, settings);
    if (reason === 'idle_but_busy' || reason === 'idle_unconfirmed')
      spared.push({ instanceId: instance.instanceId, pool: instance.pool, reason });
    else if (reason !== undefined)
      terminate.push({ instanceId: instance.instanceId, pool: instance.pool, reason });
  }
  const ending = new Set(terminate.map((t) => t.instanceId));
  const live = new Set(snapshot.instances.map((i) => i.instanceId));
  const settled = (atMs: number | undefined) =>
    atMs !== undefined && snapshot.nowMs - atMs > GONE_AFTER_SECONDS * 1000;
  const held = new Set(
    snapshot.jobs.flatMap((job) =>
      job.launchInstanceId !== undefined &&
      job.launchWarnedAtMs !== undefined &&
      snapshot.nowMs - job.launchWarnedAtMs < WARNED_HOLD_SECONDS * 1000
        ? [job.launchInstanceId]
        : [],
    ),
  );
  const gone = (instanceId: string, atMs: number | undefined) =>
    !held.has(instanceId) && (ending.has(instanceId) || (!live.has(instanceId) && settled(atMs)));

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
  const launchesGone: { jobId: number; instanceId: string }[] = [];
  const launchCleanups = snapshot.jobs.flatMap((job): Cleanup[] => {
    const { launchInstanceId, launchRunnerId } = job;
    if (launchInstanceId === undefined || launchRunnerId === undefined || job.launchCleanedUp === true)
      return [];
    if (launchInstanceId === job.instanceId || !gone(launchInstanceId, job.touchedAtMs)) return [];
    // The runner may be the only way to a job that ran there unrecorded, which the lifecycle
    // consumer looks for when the instance's state change comes (late, if its handling failed).
    if (job.launchGoneAtMs === undefined) {
      launchesGone.push({ jobId: job.jobId, instanceId: launchInstanceId });
      return [];
    }
    if (snapshot.nowMs - job.launchGoneAtMs < WARNED_HOLD_SECONDS * 1000) return [];
    return [
      { jobId: job.jobId, instanceId: launchInstanceId, runnerId: launchRunnerId, lost: false, launch: true },
    ];
  });
  cleanups.push(...launchCleanups);
  const tokens = snapshot.tokens
    .filter((token) => gone(token.instanceId, token.lastModifiedMs))
    .map((token) => token.instanceId);
  return { terminate, spared, cleanups, tokens, launchesGone };
}

/**
 * The runners to ask GitLab about before their instances are terminated as idle: one per instance
 * the job table shows idle, and only where the table knows the runner.
 */
export function idleRunnerIds(snapshot: ReapingSnapshot, settings: ReapingSettings): number[] {
  return snapshot.instances.flatMap((instance) => {
    if (tableReason(instance, snapshot, settings) !== 'instance_idle') return [];
    const runnerId = runnerOf(instance.instanceId, snapshot.jobs);
    return runnerId === undefined ? [] : [runnerId];
  });
}

/** The table's reason, overruled for an idle instance by what GitLab says of its runner. */
function verdict(
  instance: ReaperInstance,
  snapshot: ReapingSnapshot,
  settings: ReapingSettings,
): TerminationReason | SpareReason | undefined {
  const reason = tableReason(instance, snapshot, settings);
  if (reason !== 'instance_idle') return reason;
  const runnerId = runnerOf(instance.instanceId, snapshot.jobs);
  const activity = runnerId === undefined ? undefined : snapshot.runners?.get(runnerId);
  if (activity === 'busy') return 'idle_but_busy';
  // Killing a job costs more than an idle instance for one more sweep: the next one asks again.
  if (activity === 'unknown') return 'idle_unconfirmed';
  return reason;
}

/**
 * The runner registered for an instance: each instance gets one runner token, so every item
 * naming the instance names the same runner; the highest id keeps the choice deterministic. The
 * launch record names it even when the job it was launched for ran on another instance and the
 * job that runs here had its `running` webhook dropped.
 */
function runnerOf(instanceId: string, jobs: readonly JobItem[]): number | undefined {
  const ids = jobs.flatMap((j) => [
    ...(j.instanceId === instanceId && j.runnerId !== undefined ? [j.runnerId] : []),
    ...(j.launchInstanceId === instanceId && j.launchRunnerId !== undefined ? [j.launchRunnerId] : []),
  ]);
  return ids.length === 0 ? undefined : Math.max(...ids);
}

/** Why the job table and EC2 alone would terminate an instance. */
function tableReason(
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
