import { dynamoJobJournal } from '../../lambdas/shared/job-table/dynamo-journal';
import { dynamoJobLedger } from '../../lambdas/shared/job-table/dynamo-ledger';
import { dynamoSweepView } from '../../lambdas/shared/job-table/dynamo-sweep-view';
import type {
  JobJournal,
  JobLedger,
  JobSweepView,
  LaunchRecord,
  Placement,
} from '../../lambdas/shared/job-table/views';
import { InMemoryJobTable } from '../../sim/in-memory-job-table';
import { jobTable, PROJECT, T0, TABLE } from '../support/job-table';

/** The three views of one job table, as invocations at `nowMs` would see them. */
export interface JobTableSubject {
  ledgerAt(nowMs?: number): JobLedger;
  journalAt(nowMs?: number): JobJournal;
  sweepAt(nowMs?: number): JobSweepView;
  /** A job id no other test uses, and two instances: one it was launched for, one elsewhere. */
  fresh(): { jobId: number; at: Placement; elsewhere: Placement };
}

/** The launch scale-up records for a job launched on `at`. */
export const launchOn = (at: Placement): LaunchRecord => ({ ...at, pool: 'arm-docker', lifecycle: 'spot' });

/** Job `jobId` in `state`, launched for `at`, as scale-up writes it. */
export async function arrangeLaunched(
  subject: JobTableSubject,
  jobId: number,
  at: Placement,
  state: 'claimed' | 'launched' | 'skipped' | 'lost' = 'launched',
): Promise<void> {
  const ledger = subject.ledgerAt();
  await ledger.claim(jobId, PROJECT);
  if (state === 'claimed') return;
  if (state === 'skipped') return ledger.recordSkip(jobId, 'status_running');
  await ledger.recordLaunch(jobId, launchOn(at));
  if (state === 'lost') await subject.sweepAt().markLost(jobId, at.instanceId);
}

// GitLab.com job ids are above 2^31.
function ids() {
  let last = 9_000_000_000;
  const hex = (n: number) => `i-${n.toString(16).padStart(17, '0')}`;
  return () => {
    last += 2;
    return {
      jobId: last,
      at: { instanceId: hex(last), runnerId: 9100 },
      elsewhere: { instanceId: hex(last + 1), runnerId: 9200 },
    };
  };
}

/** The job table on dynalite, started for the calling `describe`. */
function onDynalite(): JobTableSubject {
  const { dynamo, fresh } = jobTable();
  return {
    ledgerAt: (nowMs = T0) => dynamoJobLedger(dynamo(), TABLE, () => nowMs),
    journalAt: (nowMs = T0) => dynamoJobJournal(dynamo(), TABLE, () => nowMs),
    sweepAt: (nowMs = T0) => dynamoSweepView(dynamo(), TABLE, () => nowMs),
    fresh,
  };
}

/** The in-memory job table the simulator, the bench and the Lambdas' tests use. */
function inMemory(): JobTableSubject {
  let now = T0;
  const table = new InMemoryJobTable(() => now);
  const at =
    <T>(view: T) =>
    (nowMs = T0) => {
      now = nowMs;
      return view;
    };
  return { ledgerAt: at(table.ledger), journalAt: at(table.journal), sweepAt: at(table.sweep), fresh: ids() };
}

/** Every implementation of the job table, for `describe.each`. */
export const IMPLEMENTATIONS: readonly [string, () => JobTableSubject][] = [
  ['DynamoDB (dynalite)', onDynalite],
  ['in memory', inMemory],
];
