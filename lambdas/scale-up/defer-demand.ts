import type { DemandMessage } from '../shared/job-messages';
import type { JobLedger } from '../shared/job-table/views';
import type { RoutedDemand } from './check-jobs';
import type { ScaleUpObserver } from './observer';
import type { DemandRequeue } from './ports';

/** GitLab fails a pending job that no online runner took within an hour. */
export const GITLAB_PENDING_LIMIT_MS = 60 * 60_000;

/**
 * The oldest demand scale-up still acts on. Past GitLab's hour the carried answer is read again
 * (GitLab.com has failed the job by then; a self-managed instance may wait longer), and past this
 * the demand is reported as expired and acknowledged: a wait is bounded, never retried forever.
 */
export const MAX_DEMAND_AGE_MS = 2 * GITLAB_PENDING_LIMIT_MS;

/**
 * How long a job held back by a pool, global or spend cap waits: caps free up as jobs end, which
 * no message announces, so look again in a minute.
 */
export const CAP_WAIT_SECONDS = 60;

/** Why a job waits. */
export type DeferReason = 'cap' | 'launch_rate' | 'throttled';

/** Milliseconds since the webhook received the job's `pending`. */
export function demandAgeMs(demand: DemandMessage, now: number): number {
  return now - Date.parse(demand.receivedAt);
}

/**
 * EC2's answer for an exhausted bucket (the instance-launch bucket, or the API's): the SDK names
 * the error after its code. Waiting and asking again is the only cure.
 */
export function isThrottle(error: unknown): boolean {
  return error instanceof Error && /RequestLimitExceeded|Throttling/.test(error.name);
}

/** The message that re-sends a waiting job: what GitLab said rides along, the count goes up. */
export function deferredMessage(item: RoutedDemand): DemandMessage {
  return { ...item.demand, deferrals: (item.demand.deferrals ?? 0) + 1, checked: item.checked };
}

/** What deferring needs. */
export interface DeferDeps {
  readonly requeue?: DemandRequeue;
  readonly ledger: JobLedger;
  readonly observer: ScaleUpObserver;
  readonly now: () => number;
}

/**
 * Makes jobs wait without spending their receives: releases each claim, re-sends the demand with
 * SQS's DelaySeconds and acknowledges the original. SQS counts every receive of a message towards
 * the DLQ, so a message that came back after its visibility timeout five times would be lost with
 * its job still pending; a re-sent one is a new message. Should the Lambda die between the send
 * and the acknowledgement, the job has two messages and the job table's claim serves it once.
 * Without a queue to re-send to, or when SQS refuses the send, the message is retried instead.
 * @param delaysSeconds one per item (0–900).
 * @returns ids of the messages to retry (`batchItemFailures`).
 */
export async function deferAll(
  items: readonly RoutedDemand[],
  delaysSeconds: readonly number[],
  reason: DeferReason,
  deps: DeferDeps,
): Promise<string[]> {
  if (items.length === 0) return [];
  const released = await releaseAll(items, deps.ledger);
  const { requeue } = deps;
  if (requeue === undefined) return released;
  const now = deps.now();
  const retry: string[] = [];
  await Promise.all(
    items.map(async (item, index) => {
      const delay = delaysSeconds[index] ?? CAP_WAIT_SECONDS;
      const age = demandAgeMs(item.demand, now);
      // Counted once per job: when a wait carries it past the hour GitLab gives a pending job.
      if (age < GITLAB_PENDING_LIMIT_MS && age + delay * 1000 >= GITLAB_PENDING_LIMIT_MS)
        deps.observer.demandAtRisk(item.demand.jobId, item.route.pool.name);
      try {
        await requeue.send(deferredMessage(item), delay);
      } catch (error) {
        deps.observer.failed('defer', item.demand.jobId, error);
        retry.push(item.messageId);
      }
    }),
  );
  const byPool = new Map<string, number>();
  for (const item of items) byPool.set(item.route.pool.name, (byPool.get(item.route.pool.name) ?? 0) + 1);
  for (const [pool, jobs] of byPool) deps.observer.deferred(pool, reason, jobs);
  return retry;
}

/** Gives the jobs' claims back and returns their messages to retry: the launch did not happen. */
export async function releaseAll(items: readonly RoutedDemand[], ledger: JobLedger): Promise<string[]> {
  await Promise.all(items.map((item) => ledger.release(item.demand.jobId)));
  return items.map((item) => item.messageId);
}
