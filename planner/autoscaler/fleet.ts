import { Heap } from '../heap';
import type { InstanceLife, Span } from '../stats';

/** A job waiting for a runner: its first arrival, and when it (re-)entered the queue. */
export interface QueuedJob {
  readonly index: number;
  readonly arrivedAtMs: number;
  readonly queuedAtMs: number;
  readonly durationMs: number;
}

/** One instance of the pool. */
export interface Instance {
  readonly id: number;
  readonly launchedAtMs: number;
  state: 'booting' | 'idle' | 'busy';
  idleSinceMs: number;
  uses: number;
}

/** Something that happens at a moment of simulated time. */
export type FleetEvent =
  | { readonly kind: 'arrival'; readonly job: QueuedJob }
  | { readonly kind: 'ready'; readonly instance: Instance }
  | { readonly kind: 'finish'; readonly instance: Instance }
  | { readonly kind: 'interrupt'; readonly instance: Instance; readonly job: QueuedJob }
  | { readonly kind: 'idle-expiry' };

interface Scheduled {
  readonly atMs: number;
  readonly seq: number;
  readonly event: FleetEvent;
}

/**
 * The bookkeeping of the autoscaler model: the event queue (ties in scheduling order, so a run is
 * repeatable), the instances alive, the FIFO of waiting jobs, and what the summary needs.
 */
export class Fleet {
  private readonly events = new Heap<Scheduled>((a, b) => a.atMs - b.atMs || a.seq - b.seq);
  private seq = 0;
  private nextId = 0;
  readonly alive = new Map<number, Instance>();
  readonly queue: QueuedJob[] = [];
  readonly lives: InstanceLife[] = [];
  readonly pending: Span[] = [];

  constructor(private readonly spot: boolean) {}

  schedule(atMs: number, event: FleetEvent): void {
    this.events.push({ atMs, seq: this.seq++, event });
  }

  next(): Scheduled | undefined {
    return this.events.pop();
  }

  launch(atMs: number, state: 'booting' | 'idle'): Instance {
    const instance: Instance = { id: this.nextId++, launchedAtMs: atMs, state, idleSinceMs: atMs, uses: 0 };
    this.alive.set(instance.id, instance);
    return instance;
  }

  terminate(instance: Instance, atMs: number): void {
    this.alive.delete(instance.id);
    this.lives.push({ fromMs: instance.launchedAtMs, toMs: atMs, spot: this.spot });
  }

  count(state: Instance['state']): number {
    let n = 0;
    for (const instance of this.alive.values()) if (instance.state === state) n += 1;
    return n;
  }

  /** Idle instances, most recently idle first (the one to use next; the oldest expire first). */
  idle(): Instance[] {
    return [...this.alive.values()]
      .filter((instance) => instance.state === 'idle')
      .sort((a, b) => b.idleSinceMs - a.idleSinceMs || b.id - a.id);
  }
}
