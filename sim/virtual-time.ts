import type { SimClock } from './clock';

/**
 * Simulated milliseconds per call, from a Lambda in eu-west-1: typical, not worst, figures.
 * `slowAdapters` charges them per adapter call.
 */
export const LATENCY_MS = {
  /** One GitLab.com REST call (TLS reused) across the Atlantic, GitLab's own time included. */
  gitlab: 80,
  /** CreateFleet `instant` answers once EC2 has placed the instances: about a second. */
  createFleet: 1_200,
  /** DescribeInstances with two filters over a few hundred instances. */
  describeInstances: 150,
  terminateInstances: 300,
  /** SSM PutParameter of a SecureString (KMS encrypt included). */
  ssmPut: 30,
  ssmDelete: 30,
  /** SSM GetParametersByPath, a page of the stack's token parameters. */
  ssmList: 60,
  /** One conditional DynamoDB write in the Region. */
  ledger: 8,
  /** A DynamoDB Scan of the job table (a page or two). */
  ledgerScan: 40,
  /** SQS SendMessage in the Region. */
  sqsSend: 10,
  /** Event source poller to a warm Lambda. */
  invoke: 20,
} as const;

/**
 * A clock that only moves when every task waits: then it jumps to the earliest timer. Work in flight
 * at once overlaps, so a simulated span is what a deployed stack would see, in little wall time.
 */
export class VirtualTime {
  private readonly timers: { at: number; seq: number; wake: () => void }[] = [];
  private seq = 0;

  /** @param clock the simulated clock this moves; the in-memory adapters read the same one. */
  constructor(readonly clock: SimClock) {}

  /** Resolves once the clock reaches `ms` from now; timers due at once wake in the order they were set. */
  sleep(ms: number): Promise<void> {
    return new Promise((wake) => {
      this.timers.push({ at: this.clock.now() + Math.max(0, ms), seq: this.seq++, wake });
    });
  }

  /**
   * Runs `main` to its end. Adapters are microtask-only, so one macrotask turn drains every task.
   * @throws what `main` throws, or when every task waits and no timer is set.
   */
  async run<T>(main: Promise<T>): Promise<T> {
    let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
    main.then(
      (value) => {
        outcome = { ok: true, value };
      },
      (error: unknown) => {
        outcome = { ok: false, error };
      },
    );
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      if (outcome !== undefined) {
        if (outcome.ok) return outcome.value;
        throw outcome.error;
      }
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift();
      if (next === undefined) throw new Error('simulation stalled: every task waits and no timer is set');
      this.clock.advance(next.at - this.clock.now());
      next.wake();
    }
  }

  /** The call takes effect when it arrives; its answer (or error) comes back `ms` later. */
  async call<T>(ms: number, effect: () => Promise<T>): Promise<T> {
    const answer = effect();
    answer.catch(() => undefined);
    await this.sleep(ms);
    return answer;
  }
}
