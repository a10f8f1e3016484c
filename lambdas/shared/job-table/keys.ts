/**
 * The job table's shape, shared by its construct (`lib/constructs/job-table.ts`), the adapters and
 * the operator CLI. Renaming any of these replaces the table or an index on the next deploy.
 */

/** Partition key: the GitLab job id, a number (GitLab.com ids exceed 2^31). */
export const JOB_TABLE_KEY = 'jobId';

/** TTL attribute, in epoch seconds. */
export const JOB_TABLE_TTL_ATTRIBUTE = 'expiresAt';

/** Index of the job table by instance id: the lifecycle consumer finds an instance's job with it. */
export const JOB_TABLE_INSTANCE_INDEX = 'byInstance';

/** Key of {@link JOB_TABLE_INSTANCE_INDEX}: where the job runs, else the instance launched for it. */
export const JOB_TABLE_INSTANCE_KEY = 'instanceId';

/**
 * Index of the job table by the instance a launch created (`launchInstanceId`, projecting
 * `launchRunnerId`, `launchWarned` and `runnersDeleted`): the runner registered for an instance, even when no job ran
 * there or the job's `running` webhook never came.
 */
export const JOB_TABLE_LAUNCH_INDEX = 'byLaunchInstance';

/** Key of {@link JOB_TABLE_LAUNCH_INDEX}. */
export const JOB_TABLE_LAUNCH_KEY = 'launchInstanceId';

/** The attributes {@link JOB_TABLE_LAUNCH_INDEX} projects besides the keys. */
export const JOB_TABLE_LAUNCH_PROJECTION: readonly string[] = [
  'launchRunnerId',
  'launchWarned',
  'runnersDeleted',
];

/**
 * Sparse index of the job items the reaper still has to see: an item carries
 * {@link JOB_TABLE_OPEN_KEY} exactly while `needsReaper` (`states.ts`) holds for it, so finished,
 * cleaned-up items fall out of the index and a sweep reads what is alive, not 7 days of history.
 */
export const JOB_TABLE_OPEN_INDEX = 'open';

/**
 * Key of {@link JOB_TABLE_OPEN_INDEX}, a number: {@link JOB_TABLE_OPEN_SHARD} for every open item.
 * One partition takes 1,000 writes a second, far above the rate jobs open and close; the name
 * leaves room for more shards.
 */
export const JOB_TABLE_OPEN_KEY = 'openShard';

/** The one value of {@link JOB_TABLE_OPEN_KEY}. */
export const JOB_TABLE_OPEN_SHARD = 0;

/**
 * What {@link JOB_TABLE_OPEN_INDEX} projects besides the keys: what the reaper's sweep reads of an
 * item (`JobItem` in `views.ts`, and the write times `touchedAtMs` is the latest of).
 */
export const JOB_TABLE_OPEN_PROJECTION: readonly string[] = [
  'state',
  'projectId',
  'instanceId',
  'runnerId',
  'launchInstanceId',
  'launchRunnerId',
  'launchCleanedUp',
  'launchWarnedAt',
  'launchGoneAt',
  'cleanedUp',
  'runnersDeleted',
  'claimedAt',
  'launchedAt',
  'runningAt',
  'finishedAt',
  'expiresAt',
];
