/**
 * EC2's instance-launch bucket, per account and Region: `burst` instances at once, refilled at
 * `perSecond`. Over it, CreateFleet and RunInstances fail with RequestLimitExceeded.
 */
export interface LaunchRate {
  readonly burst: number;
  readonly perSecond: number;
}

/** EC2's default instance-launch bucket: 1,000 instances, then 2 a second. */
export const EC2_LAUNCH_RATE: LaunchRate = { burst: 1_000, perSecond: 2 };

/** The bucket as this warm Lambda has spent it, and the launch slots it has promised ahead. */
export interface PacerState {
  /** Tokens left at `at` (ms). */
  readonly tokens: number;
  readonly at: number;
  /** Until when (ms) slots are promised to deferred jobs; a new deferral queues after it. */
  readonly promisedUntil: number;
}

/** SQS's longest DelaySeconds. */
export const MAX_DELAY_SECONDS = 900;

/** A full bucket at `now`, nothing promised. */
export function freshPacer(rate: LaunchRate, now: number): PacerState {
  return { tokens: rate.burst, at: now, promisedUntil: now };
}

/** Instances this Lambda may launch at `now` without passing the bucket. */
export function launchBudget(state: PacerState, rate: LaunchRate, now: number): number {
  return Math.floor(refill(state, rate, now).tokens);
}

/**
 * Spends `instances` tokens (a negative count gives back what a launch did not use: EC2 charges
 * the bucket only for instances it started).
 */
export function spend(state: PacerState, rate: LaunchRate, now: number, instances: number): PacerState {
  const filled = refill(state, rate, now);
  return { ...filled, tokens: Math.min(rate.burst, filled.tokens - instances) };
}

/**
 * How long each of `jobs` jobs that did not fit waits, in whole seconds. Each job is promised the
 * next token the bucket will hold after those already promised; its return is rounded up to a
 * boundary of `chunk` tokens' refill time, so jobs deferred by different calls come back together
 * and one CreateFleet serves them, not one call per refilled token. A slot beyond SQS's 900 s delay
 * is not promised: that job waits 900 s and asks again, so promises never run ahead of SQS.
 */
export function deferralDelays(
  state: PacerState,
  rate: LaunchRate,
  now: number,
  jobs: number,
  chunk: number,
): { readonly delaysSeconds: number[]; readonly state: PacerState } {
  const filled = refill(state, rate, now);
  const tokenMs = 1000 / rate.perSecond;
  const chunkMs = chunk * tokenMs;
  // Tokens already in the bucket count as refilled before now.
  let promisedUntil = Math.max(filled.promisedUntil, now - filled.tokens * tokenMs);
  const delaysSeconds: number[] = [];
  for (let index = 0; index < jobs; index += 1) {
    const slot = promisedUntil + tokenMs;
    const back = Math.ceil(slot / chunkMs) * chunkMs;
    const wait = Math.ceil((back - now) / 1000);
    if (wait > MAX_DELAY_SECONDS) {
      delaysSeconds.push(MAX_DELAY_SECONDS);
      continue;
    }
    delaysSeconds.push(Math.max(1, wait));
    promisedUntil = slot;
  }
  return {
    delaysSeconds,
    state: { ...filled, promisedUntil: Math.max(filled.promisedUntil, promisedUntil) },
  };
}

/**
 * The bucket's tokens at `now` as the launch times of the stack's live instances tell it: what
 * every execution environment of scale-up launched, not just this one (instances that already
 * ended are missing, so this can only overstate the tokens; launches of other stacks in the
 * account are missing too, and a RequestLimitExceeded still defers the jobs).
 */
export function tokensFromLaunches(launchTimes: readonly number[], rate: LaunchRate, now: number): number {
  // A launch older than two full refills no longer weighs on the bucket (it would otherwise mean
  // sorting every live instance of a large fleet on every batch).
  const horizon = now - (2 * rate.burst * 1000) / rate.perSecond;
  const sorted = launchTimes.filter((at) => at > horizon).sort((a, b) => a - b);
  let tokens = rate.burst;
  let at = sorted[0] ?? now;
  for (const launchedAt of sorted) {
    tokens = Math.min(rate.burst, tokens + ((launchedAt - at) / 1000) * rate.perSecond) - 1;
    at = launchedAt;
  }
  return Math.min(rate.burst, tokens + (Math.max(0, now - at) / 1000) * rate.perSecond);
}

function refill(state: PacerState, rate: LaunchRate, now: number): PacerState {
  const elapsed = Math.max(0, now - state.at);
  return {
    tokens: Math.min(rate.burst, state.tokens + (elapsed / 1000) * rate.perSecond),
    at: Math.max(now, state.at),
    promisedUntil: Math.max(state.promisedUntil, now),
  };
}

/**
 * The pacing state of one warm Lambda: the decisions above over the launches this execution
 * environment made. Two environments each keep their own, so the stack gives each its share of
 * the account's bucket (see `ec2LaunchRate`); a RequestLimitExceeded still defers, never drops.
 */
export class LaunchPacer {
  private state: PacerState;

  constructor(
    readonly rate: LaunchRate,
    now: number,
  ) {
    this.state = freshPacer(rate, now);
  }

  /**
   * Takes up to `wanted` instances of budget now; returns how many were granted. Less than
   * `minimum` (or than `wanted`, if fewer) is not worth a CreateFleet: none is granted, and the
   * jobs wait for the chunk the pacer promises them instead of launching a trickle per call.
   */
  reserve(wanted: number, now: number, minimum = 1): number {
    const budget = launchBudget(this.state, this.rate, now);
    if (budget < Math.min(wanted, minimum)) return 0;
    const granted = Math.max(0, Math.min(wanted, budget));
    this.state = spend(this.state, this.rate, now, granted);
    return granted;
  }

  /** Believes the stack's live instances where they show fewer tokens than this Lambda counted. */
  observe(launchTimes: readonly number[], now: number): void {
    const filled = spend(this.state, this.rate, now, 0);
    this.state = {
      ...filled,
      tokens: Math.min(filled.tokens, tokensFromLaunches(launchTimes, this.rate, now)),
    };
  }

  /** Gives back budget a launch did not use (a shortfall, a failed call). */
  refund(instances: number, now: number): void {
    if (instances > 0) this.state = spend(this.state, this.rate, now, -instances);
  }

  /** EC2 said the bucket is empty: believe it (other launches in the account share the bucket). */
  drain(now: number): void {
    this.state = { ...spend(this.state, this.rate, now, 0), tokens: 0 };
  }

  /** Delays for jobs that did not fit; promises their slots. */
  defer(jobs: number, now: number, chunk: number): number[] {
    const { delaysSeconds, state } = deferralDelays(this.state, this.rate, now, jobs, chunk);
    this.state = state;
    return delaysSeconds;
  }
}
