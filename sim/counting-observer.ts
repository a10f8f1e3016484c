import { type ScaleUpObserver, silentObserver } from '../lambdas/scale-up/observer';

/** A scale-up observer and what it has counted so far. */
export interface CountingObserver {
  readonly observer: ScaleUpObserver;
  /** One line per failure scale-up reported (invalid message, unroutable job, failed stage). */
  readonly failures: string[];
  /** Every webhook-to-launch latency reported, in milliseconds, in the order reported. */
  readonly webhookToLaunchMs: number[];
}

/** Counts what scale-up reports; failures are kept, so a broken run says why. */
export function countingObserver(): CountingObserver {
  const failures: string[] = [];
  const webhookToLaunchMs: number[] = [];
  const observer: ScaleUpObserver = {
    ...silentObserver,
    invalidMessage: (id, problem) => failures.push(`invalid ${id}: ${problem}`),
    unroutable: (jobId, reason) => failures.push(`unroutable ${jobId}: ${reason}`),
    failed: (stage, jobId, error) => failures.push(`${stage} ${jobId ?? '-'}: ${String(error)}`),
    webhookToLaunchMs: (_pool, ms) => webhookToLaunchMs.push(ms),
  };
  return { observer, failures, webhookToLaunchMs };
}
