import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { PermanentError } from '../errors';
import type { FINISHED_STATUSES } from '../job-messages';
import { jobItemSchema, launchIndexItemSchema } from './item';
import { JOB_ITEM_TTL_SECONDS } from './lifetimes';
import type { JobState } from './states';

/** How a finished job ended. */
export type FinishedStatus = (typeof FINISHED_STATUSES)[number];

/**
 * A job of the job table, everything any reader needs from it. Once a job runs,
 * `instanceId`/`runnerId` name the instance and runner it runs on, which need not be the ones
 * launched for it (a runner takes any pending job its tags cover); `launchInstanceId` and
 * `launchRunnerId` keep which runner the job's launch registered on which instance.
 */
export interface JobRecord {
  readonly jobId: number;
  readonly state: JobState;
  readonly projectId: number | undefined;
  /** The instance the job runs on, else the one launched for it. */
  readonly instanceId: string | undefined;
  readonly runnerId: number | undefined;
  /** The pool that launched for this job, when scale-up did. */
  readonly pool: string | undefined;
  /** How the job ended, once `state` is `finished`. */
  readonly finishedStatus: FinishedStatus | undefined;
  /** A spot interruption warning came for the instance while the job ran on it. */
  readonly interrupted: boolean;
  /** The interrupted job was retried (or GitLab refused to); it is never retried twice. */
  readonly retried: boolean;
  /** Spotlab cancelled the interrupted job to retry it: its `canceled` end is Spotlab's own. */
  readonly cancelledForRetry: boolean;
  /** The instance, runner and token this item names were cleaned up already. */
  readonly cleanedUp: boolean;
  /** The instance launched for this job. */
  readonly launchInstanceId?: string | undefined;
  /** The runner registered on {@link launchInstanceId}. */
  readonly launchRunnerId?: number | undefined;
  /** The launch record's runner and token were cleaned up (its instance went, serving another job). */
  readonly launchCleanedUp?: boolean;
  /** When a spot warning came for the launch's instance, in epoch milliseconds. */
  readonly launchWarnedAtMs?: number | undefined;
  /** When a sweep first found the launch's instance gone, in epoch milliseconds. */
  readonly launchGoneAtMs?: number | undefined;
  /**
   * The runners this item names that a cleanup deleted already (GitLab answered 2xx or 404):
   * every other cleanup path skips them, so a runner costs one `DELETE /runners/:id`.
   */
  readonly runnersDeleted?: readonly number[];
  /** Latest of the item's claim, launch, running and finish times, in epoch milliseconds. */
  readonly touchedAtMs: number | undefined;
}

/** A runner a launch registered on an instance, and the job the launch was for. */
export interface LaunchedRunner {
  readonly jobId: number;
  readonly runnerId: number;
  /** A spot interruption warning came for the instance. */
  readonly warned: boolean;
  /** A cleanup deleted the runner already (see {@link JobRecord.runnersDeleted}). */
  readonly deleted?: boolean;
}

/** A job item no Spotlab writer wrote: a missing key, an unknown state, a malformed number. */
export class JobItemError extends PermanentError {
  override readonly name = 'JobItemError';
}

/**
 * Reads a job item as DynamoDB returns it into a {@link JobRecord}: the one decoder of the table.
 * @throws JobItemError when the item lacks what every job item has, names a state this code does
 * not know, or holds a malformed number.
 */
export function decodeJobItem(item: Record<string, AttributeValue>): JobRecord {
  const parsed = jobItemSchema.safeParse(item);
  if (!parsed.success) throw new JobItemError(`job item has an unexpected shape: ${pathsOf(parsed.error)}`);
  const i = parsed.data;
  const seconds = (t: { N: string } | undefined) => (t === undefined ? undefined : Number(t.N) * 1000);
  // Every writer but recordLaunch moves `expiresAt` to its own time + TTL: a write time too.
  const written = i.expiresAt === undefined ? [] : [(Number(i.expiresAt.N) - JOB_ITEM_TTL_SECONDS) * 1000];
  const times = [i.claimedAt, i.launchedAt, i.runningAt, i.finishedAt].flatMap((t) =>
    t === undefined ? [] : [Number(t.N) * 1000],
  );
  times.push(...written);
  return {
    jobId: id(i.jobId),
    state: i.state.S,
    projectId: optionalId(i.projectId),
    instanceId: i.instanceId?.S,
    runnerId: optionalId(i.runnerId),
    pool: i.pool?.S,
    finishedStatus: i.finishedStatus?.S,
    interrupted: i.interrupted?.BOOL === true,
    retried: i.retried?.BOOL === true,
    cancelledForRetry: i.cancelledForRetry?.BOOL === true,
    cleanedUp: i.cleanedUp?.BOOL === true,
    launchInstanceId: i.launchInstanceId?.S,
    launchRunnerId: optionalId(i.launchRunnerId),
    launchCleanedUp: i.launchCleanedUp?.BOOL === true,
    launchWarnedAtMs: seconds(i.launchWarnedAt),
    launchGoneAtMs: seconds(i.launchGoneAt),
    runnersDeleted: (i.runnersDeleted?.NS ?? []).map((n) => id({ N: n })),
    touchedAtMs: times.length === 0 ? undefined : Math.max(...times),
  };
}

/**
 * Reads an item of the launch index into a {@link LaunchedRunner}.
 * @throws JobItemError when it lacks the runner (a launch record always names one).
 */
export function decodeLaunchIndexItem(item: Record<string, AttributeValue>): LaunchedRunner {
  const parsed = launchIndexItemSchema.safeParse(item);
  if (!parsed.success)
    throw new JobItemError(`launch index item has an unexpected shape: ${pathsOf(parsed.error)}`);
  const { jobId, launchRunnerId, launchWarned, runnersDeleted } = parsed.data;
  const runnerId = id(launchRunnerId);
  return {
    jobId: id(jobId),
    runnerId,
    warned: launchWarned?.BOOL === true,
    deleted: (runnersDeleted?.NS ?? []).includes(String(runnerId)),
  };
}

function pathsOf(error: { readonly issues: readonly { readonly path: readonly PropertyKey[] }[] }): string {
  return error.issues.map((i) => i.path.map(String).join('.')).join(', ');
}

// GitLab ids exceed 2^31 on GitLab.com; a JS number holds them exactly up to 2^53.
function id(digits: { N: string }): number {
  const value = Number(digits.N);
  if (!Number.isSafeInteger(value)) throw new JobItemError('job item holds a number beyond 2^53');
  return value;
}

function optionalId(digits: { N: string } | undefined): number | undefined {
  return digits === undefined ? undefined : id(digits);
}
