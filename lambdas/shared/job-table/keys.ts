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
 * `launchRunnerId` and `launchWarned`): the runner registered for an instance, even when no job ran
 * there or the job's `running` webhook never came.
 */
export const JOB_TABLE_LAUNCH_INDEX = 'byLaunchInstance';

/** Key of {@link JOB_TABLE_LAUNCH_INDEX}. */
export const JOB_TABLE_LAUNCH_KEY = 'launchInstanceId';

/** The attributes {@link JOB_TABLE_LAUNCH_INDEX} projects besides the keys. */
export const JOB_TABLE_LAUNCH_PROJECTION: readonly string[] = ['launchRunnerId', 'launchWarned'];
