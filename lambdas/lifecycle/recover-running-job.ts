import type { JobRecord, LaunchedRunner } from '../shared/job-table/record';
import { failure } from './outcome';
import type { LifecyclePorts } from './ports';

/**
 * The runners launches registered on an instance. On a spot warning each launch record is also
 * marked `warned`, before GitLab is asked anything: if that question fails and the message comes
 * back only after the instance is gone, the state change still knows the instance was reclaimed
 * and looks for the job it ran before deleting the runner that leads to it.
 * @returns 'retry' when the table could not answer for now.
 */
export async function launchesOn(
  instanceId: string,
  warning: boolean,
  deps: LifecyclePorts,
): Promise<readonly LaunchedRunner[] | 'retry'> {
  try {
    const launched = await deps.journal.findLaunchedOn(instanceId);
    if (warning) for (const launch of launched) await deps.journal.markLaunchWarned(launch.jobId, instanceId);
    return launched;
  } catch (error) {
    // A permanent failure (a malformed item) is reported and leaves nothing to go on.
    return failure('journal', instanceId, error, deps.observer) === 'retry' ? 'retry' : [];
  }
}

/**
 * Finds the jobs an instance's runners run when the job table names none there: GitLab never
 * re-sends a Job Hook it failed to deliver, so a dropped `running` webhook leaves the job recorded
 * nowhere (or still `launched` for the instance it was launched for). GitLab lists the job a
 * runner runs; the job is recorded as running on this instance, so its interruption and retry
 * follow the usual path. Must run before the runners are deleted: GitLab forgets a deleted
 * runner's jobs.
 * `statuses` are the job statuses that count: `running`, and `failed` once the instance is known to
 * be gone (GitLab fails a job whose runner vanished, `runner_system_failure`).
 * @returns the jobs' records (read consistently), or 'retry' when GitLab or the table could not
 * answer for now (the message comes back).
 */
export async function recoverRunningJobs(
  instanceId: string,
  launched: readonly LaunchedRunner[],
  deps: LifecyclePorts,
  statuses: readonly string[] = ['running'],
): Promise<readonly JobRecord[] | 'retry'> {
  const running: JobRecord[] = [];
  // One runner per instance in practice (each launch registers its own instance's runner).
  for (const runnerId of new Set(launched.map((launch) => launch.runnerId))) {
    try {
      const job = await deps.gitlab.latestJob(runnerId);
      if (job === undefined || !statuses.includes(job.status)) continue;
      await deps.journal.recordRunning(job.id, job.projectId, { runnerId, instanceId });
      const record = await deps.journal.get(job.id);
      if (record !== undefined) running.push(record);
    } catch (error) {
      if (failure('running_job', runnerId, error, deps.observer) === 'retry') return 'retry';
    }
  }
  return running;
}
