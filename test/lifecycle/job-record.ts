import type { JobRecord } from '../../lambdas/shared/job-table/record';

/** A job item as the lifecycle reads it: job 41 launched on i-0aaa with runner 7, unless `changes` say. */
export function jobRecord(changes: Partial<JobRecord> = {}): JobRecord {
  return {
    jobId: 41,
    state: 'launched',
    projectId: 380,
    instanceId: 'i-0aaa',
    runnerId: 7,
    pool: 'arm-docker',
    launchInstanceId: 'i-0aaa',
    launchRunnerId: 7,
    finishedStatus: undefined,
    interrupted: false,
    retried: false,
    cancelledForRetry: false,
    cleanedUp: false,
    touchedAtMs: undefined,
    ...changes,
  };
}
