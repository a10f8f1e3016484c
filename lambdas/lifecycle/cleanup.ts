import type { DemandQueue } from '../shared/adapters/sqs-queue';
import type { JobJournal } from '../shared/job-table/views';
import type { TokenStore } from '../shared/token-store';
import type { CleanupReason, LifecycleObserver } from './observer';
import { attempt, type Outcome, worst } from './outcome';
import type { Instances, LifecycleGitlab } from './ports';

/** What cleaning up after an instance or a job needs. */
export interface CleanupDeps {
  readonly gitlab: LifecycleGitlab;
  readonly instances: Instances;
  readonly tokens: TokenStore;
  readonly journal: JobJournal;
  /** Where demand goes when a job's launched instance was taken by another job. */
  readonly demand: DemandQueue;
  readonly observer: LifecycleObserver;
}

/**
 * Removes what an instance leaves behind: the instance itself when `terminate` is asked and it is
 * still alive and this stack's (the role may only terminate stack-tagged instances anyway), its
 * GitLab runners (GitLab counts registered runners against a quota) and its token parameter.
 * Every step is idempotent and runs even when another failed, so a retried message can redo them
 * all safely.
 */
export async function cleanUpInstance(
  instanceId: string,
  runnerIds: readonly number[],
  reason: CleanupReason,
  terminate: boolean,
  deps: CleanupDeps,
): Promise<Outcome> {
  const outcomes: Outcome[] = [];
  if (terminate) {
    outcomes.push(
      await attempt(
        'terminate',
        instanceId,
        async () => {
          const live = await deps.instances.live([instanceId]);
          if (!live.includes(instanceId)) return;
          await deps.instances.terminate([instanceId]);
          deps.observer.instanceTerminated(instanceId, reason);
        },
        deps.observer,
      ),
    );
  }
  for (const runnerId of new Set(runnerIds)) {
    outcomes.push(
      await attempt(
        'runner',
        runnerId,
        async () => {
          await deps.gitlab.deleteRunner(runnerId);
          deps.observer.runnerDeleted(runnerId, reason);
        },
        deps.observer,
      ),
    );
  }
  outcomes.push(await attempt('token', instanceId, () => deps.tokens.delete(instanceId), deps.observer));
  return worst(outcomes);
}
