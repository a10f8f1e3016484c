import type { Lifecycle } from '../shared/fleet-launch';
import type { Refusal } from './admission';
import type { DeferReason } from './defer-demand';

/**
 * What scale-up reports while it works. The handler turns these into logs and EMF metrics; tests
 * and benchmarks count them. Keeping the decision code free of Logger and Metrics keeps it pure.
 */
export interface ScaleUpObserver {
  invalidMessage(messageId: string, problem: string): void;
  skipped(
    jobId: number,
    reason: 'already_claimed' | 'not_pending' | 'job_not_found' | 'duplicate_in_batch' | 'moved_on',
  ): void;
  /** A job refused before any launch (recorded skipped, not retried). */
  refused(jobId: number, reason: Refusal): void;
  unroutable(jobId: number, reason: string): void;
  waitingOnLimit(pool: string, jobs: number): void;
  /** Jobs re-sent to wait (a cap, the launch rate, a throttled call) without spending receives. */
  deferred(pool: string, reason: DeferReason, jobs: number): void;
  /** A job whose wait carries it past GitLab's one-hour limit for a pending job. */
  demandAtRisk(jobId: number, pool: string): void;
  /** Demand older than scale-up acts on: acknowledged, not launched. */
  demandExpired(jobId: number): void;
  launched(pool: string, lifecycle: Lifecycle, instances: number): void;
  /** Jobs launched on-demand because the pool's spot interruptions repeated. */
  coolDownLaunches(pool: string, jobs: number): void;
  shortfall(pool: string, code: string, instances: number): void;
  gitlabAuthFailure(status: number): void;
  failed(
    stage: 'check' | 'launch' | 'provision' | 'rollback' | 'defer' | 'cool_down',
    jobId: number | undefined,
    error: unknown,
  ): void;
  /** Milliseconds from the webhook receiving `pending` to the launch request. */
  webhookToLaunchMs(pool: string, ms: number): void;
}

/** An observer that ignores everything, for callers that only want the outcome. */
export const silentObserver: ScaleUpObserver = {
  invalidMessage: () => undefined,
  skipped: () => undefined,
  refused: () => undefined,
  unroutable: () => undefined,
  waitingOnLimit: () => undefined,
  deferred: () => undefined,
  demandAtRisk: () => undefined,
  demandExpired: () => undefined,
  launched: () => undefined,
  coolDownLaunches: () => undefined,
  shortfall: () => undefined,
  gitlabAuthFailure: () => undefined,
  failed: () => undefined,
  webhookToLaunchMs: () => undefined,
};
