import type { JobRecord, LaunchedRunner } from '../shared/job-table/record';
import { type CleanupAction, cleanupActions, type NamedRunner } from './actions';
import { anyRunning, unmarked } from './decide-interruption';

/**
 * Whether every job that ran on the gone instance finished and was cleaned up then, with none left
 * to mark interrupted: only the retries owed remain.
 */
export function cleanedUpAlready(records: readonly JobRecord[]): boolean {
  return records.length > 0 && records.every((record) => record.cleanedUp) && !records.some(unmarked);
}

/**
 * Whether spot reclaimed the gone instance, from the table alone: `reclaimed` when a warning was
 * recorded; `ask_ec2` when a job may have died with it unmarked (one recorded there, or one only
 * its runner can name: none recorded running there) and the handling of the warning may have
 * failed and come back after the instance went (SQS waits the visibility timeout, spot gives two
 * minutes), so EC2's state reason decides; else `not_reclaimed`.
 */
export function reclaimEvidence(
  records: readonly JobRecord[],
  launched: readonly LaunchedRunner[],
): 'reclaimed' | 'ask_ec2' | 'not_reclaimed' {
  if (records.some((record) => record.interrupted) || launched.some((launch) => launch.warned))
    return 'reclaimed';
  const hidden = !anyRunning(records) && launched.length > 0;
  return records.some(unmarked) || hidden ? 'ask_ec2' : 'not_reclaimed';
}

/**
 * What a gone instance leaves behind: every runner a job item or a launch record ties to it
 * (GitLab counts registered runners) that no cleanup recorded deleted yet (the finished hook's
 * usually did: the instance goes right after its job), and its token parameter. No terminate: it
 * is gone.
 */
export function goneCleanup(
  instanceId: string,
  records: readonly JobRecord[],
  launched: readonly LaunchedRunner[],
): CleanupAction[] {
  const deleted = new Set([
    ...records.flatMap((record) => record.runnersDeleted ?? []),
    ...launched.flatMap((launch) => (launch.deleted === true ? [launch.runnerId] : [])),
  ]);
  const runners: NamedRunner[] = [
    ...records.flatMap((record) =>
      record.runnerId === undefined ? [] : [{ runnerId: record.runnerId, jobId: record.jobId }],
    ),
    ...launched.map((launch) => ({ runnerId: launch.runnerId, jobId: launch.jobId })),
  ];
  return cleanupActions(
    instanceId,
    runners.filter((runner) => !deleted.has(runner.runnerId)),
    'instance_gone',
    false,
  );
}
