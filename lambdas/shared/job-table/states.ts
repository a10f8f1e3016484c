/**
 * Job states, in the order a job moves through them. Scale-up writes `claimed`, `launched` and
 * `skipped`; the lifecycle consumer `running` and `finished`; the lifecycle and the reaper `lost`
 * (a launched job whose instance went to another job or vanished before the job ran).
 */
export const JOB_STATES = ['claimed', 'launched', 'skipped', 'running', 'finished', 'lost'] as const;

/** A job's state in the job table. */
export type JobState = (typeof JOB_STATES)[number];

/**
 * Where each state may move, `absent` being a job without an item. The DynamoDB adapters' condition
 * expressions enforce this table (the in-memory table reads it): status never moves backwards, so
 * late, duplicate and out-of-order events leave the same item behind.
 * - `claimed` is won once: from absent, from `lost` (its demand may launch again), and from a
 *   `claimed` older than `STALE_CLAIM_SECONDS` (its invocation died; the claim checks the age).
 * - Only the claim holder moves `claimed` on to `launched` or `skipped` (or deletes it, releasing it).
 * - `running` comes from absent (its webhook came before `pending`'s) and from every launcher state.
 * - `finished` comes from anything but `finished`; nothing comes from it.
 * - `lost` comes only from `launched`.
 */
const NEXT: Readonly<Record<JobState | 'absent', readonly JobState[]>> = {
  absent: ['claimed', 'running', 'finished'],
  claimed: ['claimed', 'launched', 'skipped', 'running', 'finished'],
  launched: ['running', 'finished', 'lost'],
  skipped: ['running', 'finished'],
  lost: ['claimed', 'running', 'finished'],
  running: ['finished'],
  finished: [],
};

/** Whether a job in `from` (undefined: no item) may move to `to`. */
export function canMove(from: JobState | undefined, to: JobState): boolean {
  return NEXT[from ?? 'absent'].includes(to);
}

/** What {@link needsReaper} reads of an item. */
export interface OpenFacts {
  /** Where the job runs, else the instance launched for it. */
  readonly instanceId: string | undefined;
  readonly cleanedUp: boolean;
  readonly launchInstanceId?: string | undefined;
  readonly launchCleanedUp?: boolean;
}

/**
 * Whether the reaper must still see an item: the rule of the job table's open set (the sparse
 * `open` index, `keys.ts`; the in-memory table's set). Every decision of a sweep reads only such
 * items (`lambdas/reaper/decide-*.ts`):
 * - its instance, runner and token are not cleaned up yet (`instanceId` set, `cleanedUp` not):
 *   a cleanup when the instance goes, the running job that keeps an instance from idling, the
 *   runner an idle instance's GitLab question names, a runner that is not "unrecorded";
 * - or its launch record's runner, on another instance than the job's, is not cleaned up yet.
 * Everything else is history: a claim or skip names no instance, a finished job whose placement
 * was cleaned up needs nothing. A sweep that must know such an item (is a pending job's demand
 * lost?) reads it by key. Claimed, launched and running items are open as soon as they name an
 * instance; `lost` is open until the reaper cleaned up after it. The writes keep the attribute in
 * step in their own conditional update (`dynamo-*.ts`): the state is never recomputed from a scan.
 */
export function needsReaper(item: OpenFacts): boolean {
  if (item.instanceId !== undefined && !item.cleanedUp) return true;
  return (
    item.launchInstanceId !== undefined &&
    item.launchCleanedUp !== true &&
    item.launchInstanceId !== item.instanceId
  );
}
