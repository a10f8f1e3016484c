/**
 * Spot interruptions that repeat. Spot reclaims capacity per pool (instance types × AZs) in waves:
 * when a pool's jobs are interrupted several times within a short window, the next launches are
 * likely reclaimed too, and each reclaim costs a job its whole run so far. Such a pool launches
 * on-demand for a cool-down period.
 */

/** When a pool cools down on on-demand: `interruptions` within `windowMinutes`, for `minutes`. */
export interface CoolDownPolicy {
  readonly interruptions: number;
  readonly windowMinutes: number;
  readonly minutes: number;
}

/** One interruption that hit a job, as the lifecycle recorded it. */
export interface NotedInterruption {
  readonly instanceId: string;
  readonly atMs: number;
}

/**
 * How many interruptions a pool keeps, newest first. Above any sensible threshold: a threshold
 * needs only its last `interruptions` entries.
 */
export const KEPT_INTERRUPTIONS = 50;

/** How long an interruption is kept: longer than any window plus cool-down the schema allows. */
export const KEPT_INTERRUPTION_MS = 48 * 3_600_000;

/**
 * The pool's list with `entry` added, newest first, pruned to what a decision can still use.
 * The same instance counts once: SQS delivers a warning at least once, and a warning and the
 * reclaim that follows it name the same instance.
 * @returns `undefined` when the instance is listed already (nothing to write).
 */
export function withInterruption(
  recent: readonly NotedInterruption[],
  entry: NotedInterruption,
): NotedInterruption[] | undefined {
  if (recent.some((noted) => noted.instanceId === entry.instanceId)) return undefined;
  return [entry, ...recent]
    .filter((noted) => noted.atMs > entry.atMs - KEPT_INTERRUPTION_MS)
    .sort((a, b) => b.atMs - a.atMs)
    .slice(0, KEPT_INTERRUPTIONS);
}

/**
 * Until when the pool launches on-demand: the latest interruption that completed
 * `policy.interruptions` within `policy.windowMinutes`, plus `policy.minutes`.
 * @returns epoch ms, or `undefined` when the interruptions never reached the threshold.
 */
export function coolDownUntilMs(
  recent: readonly NotedInterruption[],
  policy: CoolDownPolicy,
): number | undefined {
  const times = recent.map((noted) => noted.atMs).sort((a, b) => b - a);
  const span = policy.interruptions - 1;
  const windowMs = policy.windowMinutes * 60_000;
  for (let newest = 0; newest + span < times.length; newest += 1) {
    const last = times[newest] as number;
    const first = times[newest + span] as number;
    if (last - first <= windowMs) return last + policy.minutes * 60_000;
  }
  return undefined;
}

/** Whether the pool is cooling down at `nowMs`. */
export function coolingDown(
  recent: readonly NotedInterruption[],
  policy: CoolDownPolicy,
  nowMs: number,
): boolean {
  const until = coolDownUntilMs(recent, policy);
  return until !== undefined && nowMs < until;
}
