import type { DemandMessage, LifecycleMessage } from '../shared/job-messages';
import type { CleanupDeps } from './cleanup';
import { attempt } from './outcome';

/**
 * A job took the runner of an instance launched for another job: a GitLab runner takes the oldest
 * pending job of its project its tags cover, not the one it was launched for, and that may be a
 * job routed to another pool (a `[docker]` job on a runner tagged `[docker, x86_64]`). When the job
 * brought no instance of its own (its `pending` webhook was dropped, or the launch for it was
 * undone), or brought one in another pool (`sparePool`; its runner cannot take the waiting jobs),
 * the jobs launched for that instance and still waiting for it are given back to scale-up and
 * enqueued at once, instead of waiting for the reaper's lost-demand sweep. A spare instance in the
 * same pool serves them instead.
 *
 * Best effort: a failure is reported, and the reaper's sweep still finds the job pending with no
 * capacity on the way (a job given back is `lost`, which it requeues).
 */
export async function requeueDisplaced(
  running: Pick<LifecycleMessage, 'jobId' | 'receivedAt'>,
  instanceId: string,
  sparePool: string | undefined,
  deps: CleanupDeps,
): Promise<void> {
  await attempt(
    'displaced',
    instanceId,
    async () => {
      const launched = await deps.journal.findLaunchedOn(instanceId);
      for (const { jobId } of launched.filter((launch) => launch.jobId !== running.jobId)) {
        const projectId = await deps.journal.markDisplaced(jobId, instanceId, sparePool);
        if (projectId === undefined) continue;
        await deps.demand.send(displacedDemand(jobId, projectId, running.receivedAt));
        deps.observer.demandDisplaced(jobId, instanceId);
      }
    },
    deps.observer,
  );
}

/**
 * The demand message for a displaced job. The job table keeps no name, pipeline or creation time:
 * scale-up reads the job from GitLab anyway and dedupes on its claim, not on this key.
 */
function displacedDemand(jobId: number, projectId: number, receivedAt: string): DemandMessage {
  return {
    v: 1,
    kind: 'demand',
    status: 'pending',
    jobId,
    projectId,
    pipelineId: null,
    jobName: '',
    idempotencyKey: `lifecycle:${jobId}:displaced`,
    // When the `running` that displaced it reached the webhook: the demand is as old as that.
    receivedAt,
    queuedDurationSeconds: null,
    // Not kept either: a displaced retry launches as a first run would.
    retriesCount: 0,
    createdAt: receivedAt,
  };
}
