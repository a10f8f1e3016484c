import type { LifecycleMessage } from '../shared/job-messages';
import { decideFinished } from './decide-job-finished';
import { decideDisplaced, decideRunning } from './decide-job-running';
import { claimedRunner, judgeRunner, launchRecordNeeded } from './decide-placement';
import type { FinishedStatus } from './events';
import type { Outcome } from './outcome';
import { performActions } from './perform-actions';
import type { LifecyclePorts } from './ports';

/**
 * `running`: records which runner (and so which instance) took the job, when a Spotlab launch
 * recorded that runner (job table: job id → runner id → instance id); then gives back the jobs it
 * displaced there. The item is created when absent, so a `pending` delivered after `running` finds
 * the job taken and launches nothing. A placement Spotlab never made is not recorded, so no later
 * cleanup follows it.
 * @throws what the journal throws (the caller retries the message).
 */
export async function onRunning(message: LifecycleMessage, ports: LifecyclePorts): Promise<Outcome> {
  const claim = claimedRunner(message);
  const own = claim === undefined ? undefined : await ports.journal.get(message.jobId);
  const launch = launchRecordNeeded(claim, message.jobId) ? await ports.journal.get(claim.launchJobId) : own;
  const plan = decideRunning(judgeRunner(claim, own, launch));
  if (plan.kind === 'not_our_runner') {
    ports.observer.ignored('not_our_runner', message.jobId);
    return 'done';
  }
  if (plan.kind === 'unrecorded_runner') {
    ports.observer.unrecordedRunnerIgnored(message.jobId, plan.claim, message.status);
    return 'done';
  }
  const { placement } = plan;
  const outcome = await ports.journal.recordRunning(message.jobId, message.projectId, placement);
  if (!outcome.recorded) {
    // A duplicate, or a `running` that arrived after the job finished: status never moves back.
    ports.observer.ignored('already_recorded', message.jobId);
    return 'done';
  }
  const waitMs =
    message.queuedDurationSeconds === null ? undefined : Math.round(message.queuedDurationSeconds * 1000);
  ports.observer.jobRunning(message.jobId, placement.instanceId, outcome.pool ?? 'unknown', waitMs);
  // Only a job that runs away from the instance launched for it can displace anyone there.
  if (outcome.launchedOn === placement.instanceId) return 'done';
  const launchedOn = await ports.journal.findLaunchedOn(placement.instanceId);
  await performActions(decideDisplaced(message, placement, outcome, launchedOn), ports);
  return 'done';
}

/**
 * `success` / `failed` / `canceled`: cleans up after a job a recorded Spotlab runner ran, then
 * records it finished (see `decideFinished`). The finished message names its runner too, so a
 * `finished` that overtook `running` cleans up alike, and the late `running` then finds the job
 * finished.
 * @throws what the journal throws (the caller retries the message).
 */
export async function onFinished(
  message: LifecycleMessage,
  status: FinishedStatus,
  ports: LifecyclePorts,
): Promise<Outcome> {
  const existing = await ports.journal.get(message.jobId);
  const claim = claimedRunner(message);
  const launch =
    existing?.state !== 'finished' && launchRecordNeeded(claim, message.jobId)
      ? await ports.journal.get(claim.launchJobId)
      : existing;
  const job = { jobId: message.jobId, projectId: message.projectId, status };
  const plan = decideFinished(job, existing, judgeRunner(claim, existing, launch));
  switch (plan.kind) {
    case 'already_finished':
    case 'not_our_runner':
      ports.observer.ignored(plan.kind, message.jobId);
      return 'done';
    case 'unrecorded_runner':
      ports.observer.unrecordedRunnerIgnored(message.jobId, plan.claim, status);
      return 'done';
    case 'act':
      return performActions(plan.actions, ports);
  }
}
