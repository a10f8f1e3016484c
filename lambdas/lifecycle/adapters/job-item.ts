import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { PermanentError } from '../../shared/errors';
import { jobItemSchema, launchIndexItemSchema } from '../../shared/job-table/item';
import type { JobRecord, LaunchedRunner } from '../ports';

/** A job item written by neither scale-up nor the lifecycle consumer. */
export class JobItemError extends PermanentError {
  override readonly name = 'JobItemError';
}

/**
 * Reads a job item into a {@link JobRecord}.
 * @throws JobItemError when the item lacks what every job item has, or holds a malformed number.
 */
export function toJobRecord(item: Record<string, AttributeValue>): JobRecord {
  const parsed = jobItemSchema.safeParse(item);
  if (!parsed.success)
    throw new JobItemError(
      `job item has an unexpected shape: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
    );
  const i = parsed.data;
  return {
    jobId: toNumber(i.jobId.N),
    state: i.state.S,
    projectId: i.projectId === undefined ? undefined : toNumber(i.projectId.N),
    instanceId: i.instanceId?.S,
    runnerId: i.runnerId === undefined ? undefined : toNumber(i.runnerId.N),
    pool: i.pool?.S,
    launch:
      i.launchInstanceId === undefined || i.launchRunnerId === undefined
        ? undefined
        : { instanceId: i.launchInstanceId.S, runnerId: toNumber(i.launchRunnerId.N) },
    finishedStatus: i.finishedStatus?.S,
    interrupted: i.interrupted?.BOOL === true,
    retried: i.retried?.BOOL === true,
    cancelledForRetry: i.cancelledForRetry?.BOOL === true,
    cleanedUp: i.cleanedUp?.BOOL === true,
  };
}

/**
 * Reads an item of the launch index into a {@link LaunchedRunner}.
 * @throws JobItemError when it lacks the runner (a launch record always names one).
 */
export function toLaunchedRunner(item: Record<string, AttributeValue>): LaunchedRunner {
  const parsed = launchIndexItemSchema.safeParse(item);
  if (!parsed.success)
    throw new JobItemError(
      `launch index item has an unexpected shape: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
    );
  const { jobId, launchRunnerId, launchWarned } = parsed.data;
  return {
    jobId: toNumber(jobId.N),
    runnerId: toNumber(launchRunnerId.N),
    warned: launchWarned?.BOOL === true,
  };
}

// GitLab ids exceed 2^31 on GitLab.com; a JS number holds them exactly up to 2^53.
function toNumber(digits: string): number {
  const value = Number(digits);
  if (!Number.isSafeInteger(value)) throw new JobItemError('job item holds a number beyond 2^53');
  return value;
}
