import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import * as z from 'zod/mini';
import { PermanentError } from '../../shared/errors';
import { FINISHED_STATUSES } from '../../shared/job-messages';
import type { JobRecord } from '../ports';

const number = z.object({ N: z.string().check(z.regex(/^-?\d+$/)) });
const text = z.object({ S: z.string() });
const flag = z.object({ BOOL: z.boolean() });

/**
 * A job item as DynamoDB returns it. Scale-up writes `claimed`/`launched`/`skipped` items with
 * `claimedAt`, `launchedAt`, `pool`, `lifecycle`, `skipReason`; the lifecycle consumer writes
 * `running`/`finished` ones. Unknown attributes are tolerated: other writers may add some.
 */
const jobItemSchema = z.looseObject({
  jobId: number,
  state: text,
  projectId: z.optional(number),
  instanceId: z.optional(text),
  runnerId: z.optional(number),
  pool: z.optional(text),
  finishedStatus: z.optional(z.object({ S: z.enum(FINISHED_STATUSES) })),
  interrupted: z.optional(flag),
  retried: z.optional(flag),
  cancelledForRetry: z.optional(flag),
  cleanedUp: z.optional(flag),
});

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
    finishedStatus: i.finishedStatus?.S,
    interrupted: i.interrupted?.BOOL === true,
    retried: i.retried?.BOOL === true,
    cancelledForRetry: i.cancelledForRetry?.BOOL === true,
    cleanedUp: i.cleanedUp?.BOOL === true,
  };
}

// GitLab ids exceed 2^31 on GitLab.com; a JS number holds them exactly up to 2^53.
function toNumber(digits: string): number {
  const value = Number(digits);
  if (!Number.isSafeInteger(value)) throw new JobItemError('job item holds a number beyond 2^53');
  return value;
}
