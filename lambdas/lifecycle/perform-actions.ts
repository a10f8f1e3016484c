import type { DeleteRunnerAction, GiveBackAction, LifecycleAction, TerminateAction } from './actions';
import { displacedDemand } from './displaced-demand';
import { attempt, type Outcome, worst } from './outcome';
import type { LifecyclePorts } from './ports';
import { retryInterrupted } from './retry-job';

/**
 * Performs a decision's actions in order. Every step is idempotent and runs even when an earlier
 * one failed, so a retried message can redo them all safely; a `record-finished` runs only when
 * every step before it succeeded, so a finished job means a cleaned-up one.
 * @returns 'retry' when any step asks for it.
 * @throws what the journal throws on a mark or a record (the caller retries the message).
 */
export async function performActions(
  actions: readonly LifecycleAction[],
  ports: LifecyclePorts,
): Promise<Outcome> {
  const outcomes: Outcome[] = [];
  for (const action of actions) {
    if (action.kind === 'record-finished' && worst(outcomes) === 'retry') break;
    outcomes.push(await perform(action, ports));
  }
  return worst(outcomes);
}

async function perform(action: LifecycleAction, ports: LifecyclePorts): Promise<Outcome> {
  const { observer } = ports;
  switch (action.kind) {
    case 'terminate':
      return attempt(
        'terminate',
        action.instanceId,
        () => terminateIfAlive(action.instanceId, action.reason, ports),
        observer,
      );
    case 'delete-runner':
      return attempt(
        'runner',
        action.runnerId,
        async () => {
          // GitLab answers 404 for a runner gone already, which the adapter counts as deleted.
          await ports.gitlab.deleteRunner(action.runnerId);
          observer.runnerDeleted(action.runnerId, action.reason);
          await recordDeleted(action, ports);
        },
        observer,
      );
    case 'delete-token':
      return attempt('token', action.instanceId, () => ports.tokens.delete(action.instanceId), observer);
    case 'give-back':
      // Best effort: the reaper's sweep still finds the job pending with no capacity on the way
      // (a job given back is `lost`, which it requeues).
      await attempt('displaced', action.instanceId, () => giveBack(action, ports), observer);
      return 'done';
    case 'mark-interrupted':
      if (await ports.journal.markInterrupted(action.jobId, action.instanceId))
        observer.spotInterruption(action.instanceId, action.jobId);
      else observer.ignored('already_interrupted', action.jobId);
      return 'done';
    case 'retry':
      return retryInterrupted(action.jobId, ports);
    case 'record-finished':
      await ports.journal.recordFinished(action.jobId, action.projectId, action.status, action.placement);
      return 'done';
  }
}

/**
 * Records the deletion on the items that name the runner. The runner is gone whatever happens
 * here: a failed record costs at most one more DELETE by another path, never a retry of this one.
 */
async function recordDeleted(action: DeleteRunnerAction, ports: LifecyclePorts): Promise<void> {
  await Promise.all(
    action.jobIds.map((jobId) =>
      ports.journal
        .markRunnerDeleted(jobId, action.runnerId)
        .catch((error: unknown) => ports.observer.failed('runner', action.runnerId, error)),
    ),
  );
}

/**
 * Terminates the instance when it is still alive and this stack's (the role may only terminate
 * stack-tagged instances anyway); EC2's TerminateInstances is idempotent.
 */
async function terminateIfAlive(
  instanceId: string,
  reason: TerminateAction['reason'],
  ports: LifecyclePorts,
): Promise<void> {
  const live = await ports.instances.live([instanceId]);
  if (!live.includes(instanceId)) return;
  await ports.instances.terminate([instanceId]);
  ports.observer.instanceTerminated(instanceId, reason);
}

/** Marks the job `lost` while it still waits for the instance, then enqueues its demand at once. */
async function giveBack(action: GiveBackAction, ports: LifecyclePorts): Promise<void> {
  const projectId = await ports.journal.markDisplaced(action.jobId, action.instanceId, action.sparePool);
  if (projectId === undefined) return;
  await ports.demand.send(displacedDemand(action.jobId, projectId, action.receivedAt));
  ports.observer.demandDisplaced(action.jobId, action.instanceId);
}
