import type { JobRecord, LaunchedRunner } from '../shared/job-table/record';
import type { LifecycleAction } from './actions';

/**
 * A job that ran on the instance and was not marked interrupted: still running, or failed (GitLab
 * fails a job whose runner vanished, `runner_system_failure`, minutes after the instance went).
 */
export function unmarked(record: JobRecord): boolean {
  if (record.interrupted) return false;
  return record.state === 'running' || (record.state === 'finished' && record.finishedStatus === 'failed');
}

/**
 * Whether an interrupted job still needs its retry. The runner may report the job failed while
 * its instance shuts down, before the state change arrives: that failure is the interruption's,
 * so the job is retried too. So is a job that ended `canceled` because Spotlab cancelled it to
 * retry it and the retry call then failed. A job that succeeded, or that someone else cancelled,
 * is left alone.
 */
export function needsRetry(record: JobRecord): boolean {
  if (!record.interrupted || record.retried) return false;
  if (record.state === 'running') return true;
  if (record.state !== 'finished') return false;
  return (
    record.finishedStatus === 'failed' || (record.finishedStatus === 'canceled' && record.cancelledForRetry)
  );
}

/** Whether any job is recorded running on the instance; if none, only its runners can name one. */
export const anyRunning = (records: readonly JobRecord[]): boolean =>
  records.some((record) => record.state === 'running');

/** What a spot interruption warning asks for, from what the table and EC2 say. */
export type SpotWarningPlan =
  /** The instance is gone already (SQS redelivered the warning late): settle the reclaim. */
  | { readonly kind: 'settle' }
  /** Mark the jobs running there interrupted, to be retried once the instance is gone. */
  | { readonly kind: 'interrupt'; readonly jobs: readonly JobRecord[] }
  /** The table names no running job: GitLab is asked through the instance's runners. */
  | { readonly kind: 'recover' };

/**
 * Decides a spot warning. A job cannot be retried while it runs, so a running job is only marked
 * now; the state change retries it. The job's `running` webhook may have been dropped, so with
 * none recorded the instance's runners are asked which job they run.
 */
export function decideSpotWarning(
  records: readonly JobRecord[],
  launched: readonly LaunchedRunner[],
  gone: boolean,
): SpotWarningPlan {
  if (gone && records.length + launched.length > 0) return { kind: 'settle' };
  const running = records.filter((record) => record.state === 'running');
  return running.length > 0 ? { kind: 'interrupt', jobs: running } : { kind: 'recover' };
}

/**
 * A warning's instance is Spotlab's when the job table names it or EC2 lists it with this stack's
 * tag: EventBridge sends every warning of the account and Region.
 */
export function warnedInstanceIsOurs(
  records: readonly JobRecord[],
  launched: readonly LaunchedRunner[],
  gone: boolean,
): boolean {
  return records.length + launched.length > 0 || !gone;
}

/** Marks each job not marked yet; the journal's condition makes a second mark a no-op. */
export function interruptActions(instanceId: string, jobs: readonly JobRecord[]): LifecycleAction[] {
  return jobs
    .filter((record) => !record.interrupted)
    .map((record) => ({ kind: 'mark-interrupted', jobId: record.jobId, instanceId }));
}

/** One retry per job, in order. */
export function retryActions(jobs: readonly JobRecord[]): LifecycleAction[] {
  return [...new Set(jobs.map((record) => record.jobId))].map((jobId) => ({ kind: 'retry', jobId }));
}

/**
 * Spot took the instance: every job that ran there unmarked is marked interrupted (with those
 * only its runners could name, `recovered`), then every interrupted job is retried once.
 */
export function settleActions(
  instanceId: string,
  records: readonly JobRecord[],
  recovered: readonly JobRecord[],
): LifecycleAction[] {
  const found = [...records.filter(unmarked), ...recovered];
  return [...interruptActions(instanceId, found), ...retryActions([...records.filter(needsRetry), ...found])];
}
