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
