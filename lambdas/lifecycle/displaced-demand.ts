import type { DemandMessage } from '../shared/job-messages';

/**
 * The demand message for a job given back because another job took the runner of the instance
 * launched for it (see `decideDisplaced`). The job table keeps no name, pipeline or creation time:
 * scale-up reads the job from GitLab anyway and dedupes on its claim, not on this key.
 * @param receivedAt when the `running` that displaced it reached the webhook: the demand is as old.
 */
export function displacedDemand(jobId: number, projectId: number, receivedAt: string): DemandMessage {
  return {
    v: 1,
    kind: 'demand',
    status: 'pending',
    jobId,
    projectId,
    pipelineId: null,
    jobName: '',
    idempotencyKey: `lifecycle:${jobId}:displaced`,
    receivedAt,
    queuedDurationSeconds: null,
    // Not kept either: a displaced retry launches as a first run would.
    retriesCount: 0,
    createdAt: receivedAt,
  };
}
