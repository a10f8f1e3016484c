import { Heap } from '../../planner/heap';
import type { SimClock } from '../clock';

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly run: () => void | Promise<void>;
}

/**
 * Timers that come due in the order they were added (a periodic tick's, a sorted batch's): kept in
 * a list beside the heap instead of in it. A replay of weeks polls each queue millions of times and
 * schedules every arrival up front; through the heap each would pay its depth twice.
 */
interface Lane {
  readonly timers: Timer[];
  head: number;
}

const earlier = (a: Timer, b: Timer): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq);

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
  // Every timer has its own (at, seq), so merging the lanes with the heap keeps the one order.
  private readonly lanes: Lane[] = [];
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
    this.timers.push(this.timer(ms, run));
  }

  /**
   * Runs `run(i)` `ms[i]` from now for each i: as many {@link Scheduler.after} calls in this order,
   * held in a sorted list rather than the heap.
   */
  afterEach(ms: readonly number[], run: (index: number) => void | Promise<void>): void {
    const timers = ms.map((delay, index) => this.timer(delay, () => run(index)));
    timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    this.lanes.push({ timers, head: 0 });
  }

  /**
   * Runs `run` now and then every `ms` while `keepGoing()` holds. On a scheduler that does not
   * yield, a tick whose `run` answers at once (no promise) stays synchronous: a replay of weeks
   * polls its queues millions of times, nearly all empty, and each await costs more than the poll.
   */
  every(ms: number, run: () => void | Promise<void>, keepGoing: () => boolean): void {
    // Each tick is due after the one before it: the ticks need only a lane of their own.
    const lane: Lane = { timers: [], head: 0 };
    this.lanes.push(lane);
    const schedule = () => {
      if (lane.head === lane.timers.length) {
        lane.timers.length = 0;
        lane.head = 0;
      }
      lane.timers.push(this.timer(ms, tick));
    };
    const again = () => {
      if (keepGoing()) schedule();
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
    lane.timers.push(this.timer(0, tick));
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
      const next = this.next();
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

  private timer(ms: number, run: () => void | Promise<void>): Timer {
    return { at: this.clock.now() + Math.max(0, ms), seq: this.seq++, run };
  }

  /** Takes the earliest timer of the heap and the lanes. */
  private next(): Timer | undefined {
    let best = this.timers.peek();
    let from: Lane | undefined;
    for (const lane of this.lanes) {
      const head = lane.timers[lane.head];
      if (head !== undefined && (best === undefined || earlier(head, best))) {
        best = head;
        from = lane;
      }
    }
    if (from === undefined) return this.timers.pop();
    from.head += 1;
    return best;
  }

  // The in-memory adapters answer in microtasks, so once a macrotask turn has passed, whatever has
  // not ended waits on a timer of this scheduler.
  private async turn(run: void | Promise<void>): Promise<void> {
    if (run !== undefined) this.spawn(run);
    await new Promise((resolve) => setImmediate(resolve));
    if (this.failure !== undefined) throw this.failure.error;
  }
}
