import { type AttributeValue, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { dynamoJobJournal } from '../../lambdas/shared/job-table/dynamo-journal';
import { dynamoJobLedger } from '../../lambdas/shared/job-table/dynamo-ledger';
import type { JobJournal, Placement } from '../../lambdas/shared/job-table/views';
import { dynaliteServer } from './dynalite-server';
import { createJobTable } from './job-table-schema';

export const TABLE = 'spotlab-jobs';

export const PROJECT = 380;
// 2026-11-23T09:00:00.750Z: a fraction of a second, to show times are stored in whole seconds.
export const T0 = Date.UTC(2026, 10, 23, 9, 0, 0, 750);
export const T0_SECONDS = Math.floor(T0 / 1000);

/**
 * The job table as the stack creates it, with the lifecycle consumer's two indexes and the reaper's open one, on a
 * dynalite started before the file's tests and stopped after them.
 */
export function jobTable() {
  const dynamo = dynaliteServer((client) => createJobTable(client, TABLE));

  // GitLab.com job ids are above 2^31; each test takes its own job and instance ids so they share one table.
  let last = 9_000_000_000;
  const hex = (n: number) => `i-${n.toString(16).padStart(17, '0')}`;

  return {
    dynamo,
    /** A job id no other test uses, and two instances: one it was launched for, one elsewhere. */
    fresh(): { jobId: number; at: Placement; elsewhere: Placement } {
      last += 2;
      return {
        jobId: last,
        at: { instanceId: hex(last), runnerId: 9100 },
        elsewhere: { instanceId: hex(last + 1), runnerId: 9200 },
      };
    },
    /** The journal as an invocation at `nowMs` would see it. */
    journalAt: (nowMs: number = T0): JobJournal => dynamoJobJournal(dynamo(), TABLE, () => nowMs),
    /** Scale-up's side of the same table. */
    ledger: () => dynamoJobLedger(dynamo(), TABLE, () => T0),
    async readItem(jobId: number): Promise<Record<string, AttributeValue> | undefined> {
      const { Item } = await dynamo().send(
        new GetItemCommand({ TableName: TABLE, Key: { jobId: { N: String(jobId) } }, ConsistentRead: true }),
      );
      return Item;
    },
    /** A job in `state`, launched for `at`, as scale-up writes it. */
    async launchedItem(jobId: number, at: Placement, state = 'launched'): Promise<void> {
      const ledger = dynamoJobLedger(dynamo(), TABLE, () => T0);
      await ledger.claim(jobId, PROJECT);
      if (state === 'claimed') return;
      if (state === 'skipped') return ledger.recordSkip(jobId, 'status_running');
      await ledger.recordLaunch(jobId, { ...at, pool: 'arm-docker', lifecycle: 'spot' });
    },
  };
}
