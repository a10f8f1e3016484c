import { type CleanupDeps, cleanUpInstance } from './cleanup';
import { failure, type Outcome, worst } from './outcome';
import type { JobRecord } from './ports';
import { launchesOn, recoverRunningJobs } from './recover-running-job';
import { needsRetry, retryInterrupted } from './retry-job';

/**
 * EC2 Spot Instance Interruption Warning: EC2 reclaims the instance in two minutes. The job
 * running on it, if any, is marked interrupted, to be retried once the instance is gone (a job
 * cannot be retried while it runs). When the table names no running job there, GitLab is asked
 * through the instance's runner, since the job's `running` webhook may have been dropped. An idle
 * instance needs nothing: it ends, and its state change cleans up. A warning that arrives after
 * the instance is gone (SQS redelivered it late) retries at once, since no state change will come
 * again.
 * @throws what the journal throws (the caller retries the message).
 */
export async function onSpotWarning(instanceId: string, deps: CleanupDeps): Promise<Outcome> {
  const records = await deps.journal.findByInstance(instanceId);
  let running = records.filter((record) => record.state === 'running');
  if (running.length === 0 && !records.some(needsRetry)) {
    const launched = await launchesOn(instanceId, true, deps);
    if (launched === 'retry') return 'retry';
    const recovered = await recoverRunningJobs(instanceId, launched, deps);
    if (recovered === 'retry') return 'retry';
    if (recovered.length === 0) return idleWarning(instanceId, records.length + launched.length > 0, deps);
    running = [...recovered];
  }
  await markInterrupted(instanceId, running, deps);
  let gone: boolean;
  try {
    gone = !(await deps.instances.live([instanceId])).includes(instanceId);
  } catch (error) {
    return failure('instances', instanceId, error, deps.observer);
  }
  if (!gone) return 'done';
  const candidates = new Set([...running, ...records.filter(needsRetry)].map((record) => record.jobId));
  const outcomes: Outcome[] = [];
  for (const jobId of candidates) outcomes.push(await retryInterrupted(jobId, deps));
  return worst(outcomes);
}

/** Marks the jobs running on a reclaimed instance interrupted, each once. */
async function markInterrupted(instanceId: string, running: readonly JobRecord[], deps: CleanupDeps) {
  for (const record of running.filter((r) => !r.interrupted)) {
    if (await deps.journal.markInterrupted(record.jobId, instanceId))
      deps.observer.spotInterruption(instanceId, record.jobId);
    else deps.observer.ignored('already_interrupted', record.jobId);
  }
}

/** A warning for an instance with no running job: ours and idle, or not ours at all. */
async function idleWarning(instanceId: string, known: boolean, deps: CleanupDeps): Promise<Outcome> {
  try {
    // The job table knows the instances Spotlab launched; failing that, it is ours if EC2 says so.
    const ours = known || (await deps.instances.live([instanceId])).includes(instanceId);
    if (ours) deps.observer.spotInterruption(instanceId, undefined);
    else deps.observer.ignored('not_our_instance', instanceId);
    return 'done';
  } catch (error) {
    return failure('instances', instanceId, error, deps.observer);
  }
}

/**
 * EC2 Instance State-change Notification, `shutting-down` or `terminated`: retries the interrupted
 * job the instance ran, then deletes its GitLab runner and token parameter if they still exist, so
 * no ghost runner outlives its VM. An instance no job item names may still be one Spotlab
 * launched for a job that ran elsewhere: its launch record names its runner. Instances neither
 * names are not this stack's (EventBridge sends every instance of the account). An instance whose
 * job finished was cleaned up then; its state changes need nothing more.
 * @throws what the journal throws (the caller retries the message).
 */
export async function onInstanceGone(instanceId: string, deps: CleanupDeps): Promise<Outcome> {
  const records = await deps.journal.findByInstance(instanceId);
  if (records.length > 0 && records.every((record) => record.cleanedUp)) {
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
  const toRetry = records.filter(needsRetry);
  // A warned instance whose running job the warning could not find (GitLab failed, and the
  // message came back after the instance went): its runner still leads to the job, until deleted.
  if (!records.some((record) => record.state === 'running') && launched.some((launch) => launch.warned)) {
    const recovered = await recoverRunningJobs(instanceId, launched, deps);
    if (recovered === 'retry') return 'retry';
    await markInterrupted(instanceId, recovered, deps);
    toRetry.push(...recovered);
  }
  const outcomes = await retryAll(toRetry, deps);
  const runnerIds = [...records, ...launched.map((launch) => ({ runnerId: launch.runnerId }))].flatMap(
    (record) => (record.runnerId === undefined ? [] : [record.runnerId]),
  );
  outcomes.push(await cleanUpInstance(instanceId, runnerIds, 'instance_gone', false, deps));
  return worst(outcomes);
}

async function retryAll(records: readonly JobRecord[], deps: CleanupDeps): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const jobId of new Set(records.map((record) => record.jobId)))
    outcomes.push(await retryInterrupted(jobId, deps));
  return outcomes;
}
