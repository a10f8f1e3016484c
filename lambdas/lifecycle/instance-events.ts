import type { JobRecord, LaunchedRunner } from '../shared/job-table/record';
import { cleanedUpAlready, goneCleanup, reclaimEvidence } from './decide-instance-gone';
import {
  anyRunning,
  decideSpotWarning,
  interruptActions,
  needsRetry,
  retryActions,
  settleActions,
  unmarked,
  warnedInstanceIsOurs,
} from './decide-interruption';
import { noteInterruption } from './note-interruption';
import { failure, type Outcome } from './outcome';
import { performActions } from './perform-actions';
import type { LifecyclePorts } from './ports';
import { launchesOn, recoverRunningJobs } from './recover-running-job';

/**
 * EC2 Spot Instance Interruption Warning: EC2 reclaims the instance in two minutes (see
 * `decideSpotWarning`). An idle instance needs nothing: it ends, and its state change cleans up.
 * @throws what the journal throws (the caller retries the message).
 */
export async function onSpotWarning(instanceId: string, ports: LifecyclePorts): Promise<Outcome> {
  const records = await ports.journal.findByInstance(instanceId);
  const launched = await launchesOn(instanceId, true, ports);
  if (launched === 'retry') return 'retry';
  let gone: boolean;
  try {
    gone = !(await ports.instances.live([instanceId])).includes(instanceId);
  } catch (error) {
    return failure('instances', instanceId, error, ports.observer);
  }
  const plan = decideSpotWarning(records, launched, gone);
  if (plan.kind === 'settle') return settleReclaimed(instanceId, records, launched, ports);
  let running = plan.kind === 'interrupt' ? plan.jobs : [];
  if (plan.kind === 'recover') {
    const recovered = await recoverRunningJobs(instanceId, launched, ports);
    if (recovered === 'retry') return 'retry';
    if (recovered.length === 0) {
      if (warnedInstanceIsOurs(records, launched, gone))
        ports.observer.spotInterruption(instanceId, undefined);
      else ports.observer.ignored('not_our_instance', instanceId);
      return 'done';
    }
    running = recovered;
  }
  await noteInterruption(instanceId, running, ports);
  await performActions(interruptActions(instanceId, running), ports);
  return 'done';
}

/**
 * Spot took the instance: marks and retries its jobs (see `settleActions`), first asking the
 * instance's runners when the table names no job running there.
 */
async function settleReclaimed(
  instanceId: string,
  records: readonly JobRecord[],
  launched: readonly LaunchedRunner[],
  ports: LifecyclePorts,
): Promise<Outcome> {
  let recovered: readonly JobRecord[] = [];
  if (!anyRunning(records)) {
    const found = await recoverRunningJobs(instanceId, launched, ports, ['running', 'failed']);
    if (found === 'retry') return 'retry';
    recovered = found;
  }
  const hit = records.filter((record) => record.interrupted || unmarked(record));
  await noteInterruption(instanceId, [...hit, ...recovered], ports);
  return performActions(settleActions(instanceId, records, recovered), ports);
}

/**
 * EC2 Instance State-change Notification, `shutting-down` or `terminated`: when spot reclaimed the
 * instance, retries the job it ran, then deletes its GitLab runners and token parameter if they
 * still exist, so no ghost runner outlives its VM. An instance no job item names may still be one
 * Spotlab launched for a job that ran elsewhere: its launch record names its runner. Instances
 * neither names are not this stack's (EventBridge sends every instance of the account). An
 * instance whose job finished was cleaned up then.
 * @throws what the journal throws (the caller retries the message).
 */
export async function onInstanceGone(instanceId: string, ports: LifecyclePorts): Promise<Outcome> {
  const records = await ports.journal.findByInstance(instanceId);
  if (cleanedUpAlready(records)) {
    const outcome = await performActions(retryActions(records.filter(needsRetry)), ports);
    ports.observer.ignored('already_cleaned_up', instanceId);
    return outcome;
  }
  const launched = await launchesOn(instanceId, false, ports);
  if (launched === 'retry') return 'retry';
  if (records.length === 0 && launched.length === 0) {
    ports.observer.ignored('not_our_instance', instanceId);
    return 'done';
  }
  const reclaimed = await wasReclaimed(instanceId, records, launched, ports);
  if (reclaimed === 'retry') return 'retry';
  const settled = reclaimed
    ? await settleReclaimed(instanceId, records, launched, ports)
    : await performActions(retryActions(records.filter(needsRetry)), ports);
  // The runner is the only way to a job the table does not name: kept until settling succeeds.
  if (reclaimed && settled === 'retry') return 'retry';
  const cleaned = await performActions(goneCleanup(instanceId, records, launched), ports);
  return settled === 'retry' ? 'retry' : cleaned;
}

/** Whether spot reclaimed the instance; EC2 is asked only when the table cannot tell. */
async function wasReclaimed(
  instanceId: string,
  records: readonly JobRecord[],
  launched: readonly LaunchedRunner[],
  ports: LifecyclePorts,
): Promise<boolean | 'retry'> {
  const evidence = reclaimEvidence(records, launched);
  if (evidence !== 'ask_ec2') return evidence === 'reclaimed';
  try {
    return await ports.instances.reclaimedBySpot(instanceId);
  } catch (error) {
    return failure('instances', instanceId, error, ports.observer) === 'retry' ? 'retry' : false;
  }
}
