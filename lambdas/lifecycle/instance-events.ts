import { type CleanupDeps, cleanUpInstance } from './cleanup';
import { failure, type Outcome, worst } from './outcome';
import type { JobRecord } from './ports';
import { needsRetry, retryInterrupted } from './retry-job';

/**
 * EC2 Spot Instance Interruption Warning: EC2 reclaims the instance in two minutes. The job
 * running on it, if any, is marked interrupted, to be retried once the instance is gone (a job
 * cannot be retried while it runs). An idle instance needs nothing: it ends, and its state change
 * cleans up. A warning that arrives after the instance is gone (SQS redelivered it late) retries
 * at once, since no state change will come again.
 * @throws what the journal throws (the caller retries the message).
 */
export async function onSpotWarning(instanceId: string, deps: CleanupDeps): Promise<Outcome> {
  const records = await deps.journal.findByInstance(instanceId);
  const running = records.filter((record) => record.state === 'running');
  if (running.length === 0 && !records.some(needsRetry)) return idleWarning(instanceId, records, deps);
  for (const record of running.filter((r) => !r.interrupted)) {
    if (await deps.journal.markInterrupted(record.jobId, instanceId))
      deps.observer.spotInterruption(instanceId, record.jobId);
    else deps.observer.ignored('already_interrupted', record.jobId);
  }
  let gone: boolean;
  try {
    gone = !(await deps.instances.live([instanceId])).includes(instanceId);
  } catch (error) {
    return failure('instances', instanceId, error, deps.observer);
  }
  if (!gone) return 'done';
  const candidates = records.filter((record) => record.state === 'running' || needsRetry(record));
  const outcomes: Outcome[] = [];
  for (const record of candidates) outcomes.push(await retryInterrupted(record.jobId, deps));
  return worst(outcomes);
}

/** A warning for an instance with no running job: ours and idle, or not ours at all. */
async function idleWarning(
  instanceId: string,
  records: readonly JobRecord[],
  deps: CleanupDeps,
): Promise<Outcome> {
  try {
    // The job table knows only instances that got a job; an idle one is ours if EC2 says so.
    const ours = records.length > 0 || (await deps.instances.live([instanceId])).includes(instanceId);
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
 * no ghost runner outlives its VM. Instances the job table does not name are not this stack's
 * (EventBridge sends every instance of the account) or never got a job: the reaper sweeps those.
 * An instance whose job finished was cleaned up then; its state changes need nothing more.
 * @throws what the journal throws (the caller retries the message).
 */
export async function onInstanceGone(instanceId: string, deps: CleanupDeps): Promise<Outcome> {
  const records = await deps.journal.findByInstance(instanceId);
  if (records.length === 0) {
    deps.observer.ignored('not_our_instance', instanceId);
    return 'done';
  }
  const outcomes: Outcome[] = [];
  for (const record of records.filter(needsRetry)) outcomes.push(await retryInterrupted(record.jobId, deps));
  if (records.every((record) => record.cleanedUp)) {
    deps.observer.ignored('already_cleaned_up', instanceId);
    return worst(outcomes);
  }
  const runnerIds = records.flatMap((record) => (record.runnerId === undefined ? [] : [record.runnerId]));
  outcomes.push(await cleanUpInstance(instanceId, runnerIds, 'instance_gone', false, deps));
  return worst(outcomes);
}
