import { Heap } from '../../planner/heap';
import type { SimClock } from '../clock';

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly run: () => void | Promise<void>;
}

/**
 * A discrete-event scheduler on a {@link SimClock}: events run one at a time, in time order (ties
 * in the order they were scheduled), each to its end before the clock moves. No real time passes.
 *
 * A yielding scheduler also lets work wait on simulated time ({@link Scheduler.sleep}): an event
 * then runs until it ends or waits, and what waits resumes as an event of its own, so two Lambda
 * invocations in flight interleave at their awaits, as they do in AWS.
 */
export class Scheduler {
  private readonly timers = new Heap<Timer>((a, b) => a.at - b.at || a.seq - b.seq);
  private seq = 0;
  /** The first failure of work that ran on after its event ({@link Scheduler.spawn}). */
  private failure: { readonly error: unknown } | undefined;
  /**
   * Told before the clock moves from `fromMs` to `toMs`: the world holds still in between, so an
   * observer can sample it at any instant of that span without adding events of its own (an
   * event would shift when a run is judged settled, and with it every figure).
   */
  onAdvance: (fromMs: number, toMs: number) => void = () => undefined;

  /**
   * @param yields whether events may wait on {@link Scheduler.sleep}: each event then gets a
   * macrotask turn (every microtask drained) instead of being awaited to its end.
   */
  constructor(
    readonly clock: SimClock,
    readonly yields = false,
  ) {}

  /** Simulated now, in epoch milliseconds. */
  get now(): number {
    return this.clock.now();
  }

  /** Runs `run` `ms` from now (at once when ms ≤ 0, after what is due already). */
  after(ms: number, run: () => void | Promise<void>): void {
    this.timers.push({ at: this.clock.now() + Math.max(0, ms), seq: this.seq++, run });
  }

  /**
   * Runs `run` now and then every `ms` while `keepGoing()` holds. On a scheduler that does not
   * yield, a tick whose `run` answers at once (no promise) stays synchronous: a replay of weeks
   * polls its queues millions of times, nearly all empty, and each await costs more than the poll.
   */
  every(ms: number, run: () => void | Promise<void>, keepGoing: () => boolean): void {
    const again = () => {
      if (keepGoing()) this.after(ms, tick);
    };
    // Awaited as before on a yielding scheduler: its microtask turns order the timers that
    // invocations in flight set, so the ticks keep their shape there.
    const tick = this.yields
      ? async (): Promise<void> => {
          await run();
          again();
        }
      : (): void | Promise<void> => {
          const ran = run();
          if (ran === undefined) return again();
          return ran.then(again);
        };
    this.after(0, tick);
  }

  /** Resolves `ms` of simulated time from now. Only a yielding scheduler may be waited on. */
  sleep(ms: number): Promise<void> {
    if (!this.yields) throw new Error('sleep needs a yielding scheduler');
    return new Promise((wake) => this.after(ms, wake));
  }

  /** A remote call: it takes effect when it arrives; its answer (or error) comes back `ms` later. */
  async call<T>(ms: number, effect: () => Promise<T>): Promise<T> {
    const answer = effect();
    answer.catch(() => undefined);
    await this.sleep(ms);
    return answer;
  }

  /** Lets `work` run on after the event that started it; a failure of it stops {@link Scheduler.run}. */
  spawn(work: Promise<unknown>): void {
    work.catch((error: unknown) => {
      this.failure ??= { error };
    });
  }

  /**
   * Runs events until `done()` holds after one, or none is left, or the clock passes `untilMs`.
   * @throws what an event, or work it spawned, threw.
   */
  async run(done: () => boolean, untilMs: number): Promise<void> {
    for (;;) {
      const next = this.timers.pop();
      if (next === undefined || next.at > untilMs) return;
      if (next.at > this.clock.now()) this.onAdvance(this.clock.now(), next.at);
      this.clock.advance(next.at - this.clock.now());
      const ran = next.run();
      if (this.yields) await this.turn(ran);
      // An event that ends at once is not awaited: nothing of it is left to run.
      else if (ran !== undefined) await ran;
      if (done()) return;
    }
  }

  // The in-memory adapters answer in microtasks, so once a macrotask turn has passed, whatever has
  // not ended waits on a timer of this scheduler.
  private async turn(run: void | Promise<void>): Promise<void> {
    if (run !== undefined) this.spawn(run);
    await new Promise((resolve) => setImmediate(resolve));
    if (this.failure !== undefined) throw this.failure.error;
  }
}
