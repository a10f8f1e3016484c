import type { JobRecord, LaunchedRunner } from '../shared/job-table/record';
import { type CleanupDeps, cleanUpInstance } from './cleanup';
import { failure, type Outcome, worst } from './outcome';
import { launchesOn, recoverRunningJobs } from './recover-running-job';
import { needsRetry, retryInterrupted } from './retry-job';

/**
 * EC2 Spot Instance Interruption Warning: EC2 reclaims the instance in two minutes. The job
 * running on it, if any, is marked interrupted, to be retried once the instance is gone (a job
 * cannot be retried while it runs). When the table names no running job there, GitLab is asked
 * through the instance's runner, since the job's `running` webhook may have been dropped. An idle
 * instance needs nothing: it ends, and its state change cleans up. A warning that arrives after
 * the instance is gone (SQS redelivered it late) settles the reclaim at once.
 * @throws what the journal throws (the caller retries the message).
 */
export async function onSpotWarning(instanceId: string, deps: CleanupDeps): Promise<Outcome> {
  const records = await deps.journal.findByInstance(instanceId);
  const launched = await launchesOn(instanceId, true, deps);
  if (launched === 'retry') return 'retry';
  let gone: boolean;
  try {
    gone = !(await deps.instances.live([instanceId])).includes(instanceId);
  } catch (error) {
    return failure('instances', instanceId, error, deps.observer);
  }
  if (gone && records.length + launched.length > 0)
    return worst(await settleReclaimed(instanceId, records, launched, deps));
  let running = records.filter((record) => record.state === 'running');
  if (running.length === 0) {
    const recovered = await recoverRunningJobs(instanceId, launched, deps);
    if (recovered === 'retry') return 'retry';
    if (recovered.length === 0)
      return idleWarning(instanceId, records.length + launched.length > 0 || !gone, deps);
    running = [...recovered];
  }
  await markInterrupted(instanceId, running, deps);
  return 'done';
}

/**
 * A job that ran on the instance and was not marked interrupted: still running, or failed (GitLab
 * fails a job whose runner vanished, `runner_system_failure`, minutes after the instance went).
 */
function unmarked(record: JobRecord): boolean {
  if (record.interrupted) return false;
  return record.state === 'running' || (record.state === 'finished' && record.finishedStatus === 'failed');
}

/**
 * Spot took the instance: every job that ran there unmarked is marked interrupted (found through
 * the instance's runner when the table names none), then every interrupted job is retried once.
 */
async function settleReclaimed(
  instanceId: string,
  records: readonly JobRecord[],
  launched: readonly LaunchedRunner[],
  deps: CleanupDeps,
): Promise<Outcome[]> {
  const found = records.filter(unmarked);
  if (!records.some((record) => record.state === 'running')) {
    const recovered = await recoverRunningJobs(instanceId, launched, deps, ['running', 'failed']);
    if (recovered === 'retry') return ['retry'];
    found.push(...recovered);
  }
  await markInterrupted(instanceId, found, deps);
  return retryAll([...records.filter(needsRetry), ...found], deps);
}

/** Marks the jobs of a reclaimed instance interrupted, each once. */
async function markInterrupted(instanceId: string, jobs: readonly JobRecord[], deps: CleanupDeps) {
  for (const record of jobs.filter((r) => !r.interrupted)) {
    if (await deps.journal.markInterrupted(record.jobId, instanceId))
      deps.observer.spotInterruption(instanceId, record.jobId);
    else deps.observer.ignored('already_interrupted', record.jobId);
  }
}

/**
 * A warning for an instance with no running job: ours and idle, or not ours at all. `ours` when
 * the job table names it or EC2 lists it with this stack's tag (EventBridge sends every warning of
 * the account).
 */
function idleWarning(instanceId: string, ours: boolean, deps: CleanupDeps): Outcome {
  if (ours) deps.observer.spotInterruption(instanceId, undefined);
  else deps.observer.ignored('not_our_instance', instanceId);
  return 'done';
}

/**
 * EC2 Instance State-change Notification, `shutting-down` or `terminated`: when spot reclaimed the
 * instance, retries the job it ran, then deletes its GitLab runner and token parameter if they
 * still exist, so no ghost runner outlives its VM. Reclaimed means a warning was recorded, or,
 * when the warning's handling failed and comes back only after the instance went (SQS waits the
 * visibility timeout, spot gives two minutes), EC2's state reason says so. An instance no job
 * item names may still be one Spotlab launched for a job that ran elsewhere: its launch record
 * names its runner. Instances neither names are not this stack's (EventBridge sends every
 * instance of the account). An instance whose job finished was cleaned up then.
 * @throws what the journal throws (the caller retries the message).
 */
export async function onInstanceGone(instanceId: string, deps: CleanupDeps): Promise<Outcome> {
  const records = await deps.journal.findByInstance(instanceId);
  if (records.length > 0 && records.every((record) => record.cleanedUp) && !records.some(unmarked)) {
    const outcomes = await retryAll(records.filter(needsRetry), deps);
    deps.observer.ignored('already_cleaned_up', instanceId);
    return worst(outcomes);
  }
  const launched = await launchesOn(instanceId, false, deps);
  if (launched === 'retry') return 'retry';
  if (records.length === 0 && launched.length === 0) {
    deps.observer.ignored('not_our_instance', instanceId);
    return 'done';
  }
  const reclaimed = await wasReclaimed(instanceId, records, launched, deps);
  if (reclaimed === 'retry') return 'retry';
  const outcomes = reclaimed
    ? await settleReclaimed(instanceId, records, launched, deps)
    : await retryAll(records.filter(needsRetry), deps);
  // The runner is the only way to a job the table does not name: kept until settling succeeds.
  if (reclaimed && outcomes.includes('retry')) return 'retry';
  const runnerIds = [...records, ...launched.map((launch) => ({ runnerId: launch.runnerId }))].flatMap(
    (record) => (record.runnerId === undefined ? [] : [record.runnerId]),
  );
  outcomes.push(await cleanUpInstance(instanceId, runnerIds, 'instance_gone', false, deps));
  return worst(outcomes);
}

/**
 * Whether spot reclaimed the instance. EC2 is asked only when a job may have died with it unmarked:
 * one recorded there, or one only its runner can name (no job recorded running there).
 */
async function wasReclaimed(
  instanceId: string,
  records: readonly JobRecord[],
  launched: readonly LaunchedRunner[],
  deps: CleanupDeps,
): Promise<boolean | 'retry'> {
  if (records.some((record) => record.interrupted) || launched.some((launch) => launch.warned)) return true;
  const hidden = !records.some((record) => record.state === 'running') && launched.length > 0;
  if (!records.some(unmarked) && !hidden) return false;
  try {
    return await deps.instances.reclaimedBySpot(instanceId);
  } catch (error) {
    return failure('instances', instanceId, error, deps.observer) === 'retry' ? 'retry' : false;
  }
}

async function retryAll(records: readonly JobRecord[], deps: CleanupDeps): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const jobId of new Set(records.map((record) => record.jobId)))
    outcomes.push(await retryInterrupted(jobId, deps));
  return outcomes;
}
