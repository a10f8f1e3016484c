import type { LaunchedRunner } from '../shared/job-table/record';
import type { Placement, RunningOutcome } from '../shared/job-table/views';
import type { GiveBackAction } from './actions';
import type { RunnerClaim, RunnerVerdict } from './decide-placement';

/** What a `running` hook asks for. */
export type RunningPlan =
  /** A runner Spotlab did not create: nothing is recorded. */
  | { readonly kind: 'not_our_runner' }
  /** Named like Spotlab's, never recorded by it: a placement Spotlab never made is not recorded. */
  | { readonly kind: 'unrecorded_runner'; readonly claim: RunnerClaim }
  /** Record where the job runs (creating the item when absent, so a late `pending` launches nothing). */
  | { readonly kind: 'record'; readonly placement: Placement };

/** Decides a `running` hook from the verdict on its runner. */
export function decideRunning(verdict: RunnerVerdict): RunningPlan {
  if (verdict.kind === 'not_ours') return { kind: 'not_our_runner' };
  if (verdict.kind === 'unrecorded') return { kind: 'unrecorded_runner', claim: verdict.claim };
  return { kind: 'record', placement: verdict.placement };
}

/**
 * The jobs to give back once job `jobId` is recorded running on `placement`: those launched for
 * that instance and still waiting for it, when the job was not launched there itself. A GitLab
 * runner takes the oldest pending job its tags cover, not the one it was launched for. A job
 * launched elsewhere in the same pool leaves its own instance spare for them (its runner takes the
 * next pending job), so they stay (`sparePool`); one launched in another pool, or not launched at
 * all (its `pending` webhook was dropped, or its launch undone), leaves them with nothing.
 * @param launchedOn the launches on `placement.instanceId`.
 */
export function decideDisplaced(
  running: { readonly jobId: number; readonly receivedAt: string },
  placement: Placement,
  outcome: RunningOutcome,
  launchedOn: readonly LaunchedRunner[],
): GiveBackAction[] {
  // A duplicate, or a `running` after the job finished, displaces nothing: status never moves back.
  if (!outcome.recorded || outcome.launchedOn === placement.instanceId) return [];
  const sparePool = outcome.launchedOn === undefined ? undefined : outcome.pool;
  return launchedOn
    .filter((launch) => launch.jobId !== running.jobId)
    .map((launch) => ({
      kind: 'give-back',
      jobId: launch.jobId,
      instanceId: placement.instanceId,
      sparePool,
      receivedAt: running.receivedAt,
    }));
}
