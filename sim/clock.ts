/** A clock the simulation moves by hand, so runs are fast and repeatable. */
export class SimClock {
  constructor(private ms = Date.UTC(2026, 10, 23, 9, 0, 0)) {}

  /** Milliseconds since the epoch, simulated. */
  readonly now = (): number => this.ms;

  advance(ms: number): void {
    this.ms += ms;
  }
}
