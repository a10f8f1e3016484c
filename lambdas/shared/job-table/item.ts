import * as z from 'zod/mini';
import { FINISHED_STATUSES } from '../job-messages';
import { JOB_STATES } from './states';

const number = z.object({ N: z.string().check(z.regex(/^-?\d+$/)) });
const text = z.object({ S: z.string() });
const flag = z.object({ BOOL: z.boolean() });
// A DynamoDB number set: never empty (DynamoDB drops an attribute whose set empties).
const numbers = z.object({ NS: z.array(z.string().check(z.regex(/^\d+$/))) });

/**
 * A job-table item as DynamoDB returns it, one schema for every reader. Scale-up writes
 * `claimed`/`launched`/`skipped` items (`claimedAt`, `launchedAt`, the launch record), the lifecycle
 * consumer `running`/`finished` ones (where the job runs, interruption and retry), the reaper its
 * cleanup marks and `lost`. Unknown attributes are tolerated: another writer may add some.
 */
export const jobItemSchema = z.looseObject({
  jobId: number,
  // A state this code does not know fails the item: see `decodeJobItem`.
  state: z.object({ S: z.enum(JOB_STATES) }),
  projectId: z.optional(number),
  instanceId: z.optional(text),
  runnerId: z.optional(number),
  launchInstanceId: z.optional(text),
  launchRunnerId: z.optional(number),
  pool: z.optional(text),
  finishedStatus: z.optional(z.object({ S: z.enum(FINISHED_STATUSES) })),
  interrupted: z.optional(flag),
  retried: z.optional(flag),
  cancelledForRetry: z.optional(flag),
  cleanedUp: z.optional(flag),
  launchCleanedUp: z.optional(flag),
  launchWarned: z.optional(flag),
  launchWarnedAt: z.optional(number),
  launchGoneAt: z.optional(number),
  runnersDeleted: z.optional(numbers),
  claimedAt: z.optional(number),
  launchedAt: z.optional(number),
  runningAt: z.optional(number),
  finishedAt: z.optional(number),
  expiresAt: z.optional(number),
});

/** An item of the `byLaunchInstance` index: the keys and the attributes it projects. */
export const launchIndexItemSchema = z.looseObject({
  jobId: number,
  launchInstanceId: text,
  launchRunnerId: number,
  launchWarned: z.optional(flag),
  runnersDeleted: z.optional(numbers),
});

/** A parsed job item. */
export type JobItemAttributes = z.infer<typeof jobItemSchema>;
