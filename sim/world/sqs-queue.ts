import type { SQSRecord } from 'aws-lambda';
import { sqsRecord } from '../sqs-event-source';
import type { Scheduler } from './scheduler';

/** How Lambda's event source mapping reads a queue. */
export interface QueueSettings {
  readonly name: string;
  readonly batchSize: number;
  /**
   * Batches in flight at once (the mapping's MaximumConcurrency). At 1 on a scheduler that does not
   * yield, the model every figure was first measured with: each poll runs up to two batches, one
   * after the other, each to its end.
   */
  readonly maxConcurrency: number;
  /** Poller to a warm Lambda, when the scheduler yields. @default 0 */
  readonly invokeMs?: number;
  readonly visibilityTimeoutMs: number;
  /** Receives before SQS moves a message to the dead-letter queue. */
  readonly maxReceives: number;
}

interface Message {
  readonly id: string;
  readonly body: string;
  readonly sentAt: number;
  visibleAt: number;
  receives: number;
}

/**
 * A standard SQS queue and its event source mapping: every poll takes batches of visible messages;
 * ids the function returns (`batchItemFailures`), and the whole batch when it throws, come back
 * after the visibility timeout; `maxReceives` failures send a message to the dead-letter queue.
 * On a yielding scheduler, up to `maxConcurrency` batches are in flight at once, each hidden for
 * the visibility timeout from its receipt, and a poll starts them without waiting for them.
 */
export class SimQueue {
  private waiting: Message[] = [];
  private sent = 0;
  private inFlight = 0;
  /** The most batches ever in flight at once. */
  mostInFlight = 0;
  /** Batches started while another batch of this queue was in flight. */
  overlapping = 0;
  /** Messages moved to the dead-letter queue. */
  deadLettered = 0;
  /** Deliveries after the first. */
  redeliveries = 0;
  invocations = 0;

  constructor(
    private readonly settings: QueueSettings,
    private readonly scheduler: Scheduler,
  ) {}

  /** Messages sent and not yet deleted or dead-lettered. */
  get depth(): number {
    return this.waiting.length;
  }

  /** Whether a poll now would receive anything: the messages visible now. */
  get anyVisible(): boolean {
    const now = this.scheduler.now;
    return this.waiting.some((m) => m.visibleAt <= now);
  }

  /**
   * SendMessage: a new message, no receives yet, that SQS delivers no sooner than `delaySeconds`
   * (DelaySeconds, 0–900) from now.
   */
  send(body: string, delaySeconds = 0): void {
    this.sent += 1;
    const now = this.scheduler.now;
    this.waiting.push({
      id: `${this.settings.name}-${this.sent}`,
      body,
      sentAt: now,
      visibleAt: now + delaySeconds * 1000,
      receives: 0,
    });
  }

  /** One poll of the event source: invokes `handler` per batch; answers whether it invoked at all. */
  async poll(handler: (records: SQSRecord[]) => Promise<string[]>): Promise<boolean> {
    if (this.scheduler.yields) return this.start(handler);
    let invoked = false;
    // Two rounds: the sequential model always ran the stack's two batches per poll, one after the other.
    for (let round = 0; round < 2; round += 1) {
      const batch = this.receive();
      if (batch === undefined) break;
      invoked = true;
      await this.invoke(batch, handler);
    }
    return invoked;
  }

  // Lambda's poller keeps up to `maxConcurrency` invocations going; each runs on by itself.
  private start(handler: (records: SQSRecord[]) => Promise<string[]>): boolean {
    let invoked = false;
    while (this.inFlight < this.settings.maxConcurrency) {
      const batch = this.receive();
      if (batch === undefined) break;
      invoked = true;
      if (this.inFlight > 0) this.overlapping += 1;
      this.inFlight += 1;
      this.mostInFlight = Math.max(this.mostInFlight, this.inFlight);
      const run = async () => {
        await this.scheduler.sleep(this.settings.invokeMs ?? 0);
        await this.invoke(batch, handler);
      };
      this.scheduler.spawn(
        run().finally(() => {
          this.inFlight -= 1;
        }),
      );
    }
    return invoked;
  }

  // ReceiveMessage: up to a batch of visible messages, hidden for the visibility timeout from now.
  private receive(): Message[] | undefined {
    const now = this.scheduler.now;
    const batch = this.waiting.filter((m) => m.visibleAt <= now).slice(0, this.settings.batchSize);
    if (batch.length === 0) return undefined;
    this.invocations += 1;
    for (const m of batch) {
      m.receives += 1;
      if (m.receives > 1) this.redeliveries += 1;
      m.visibleAt = now + this.settings.visibilityTimeoutMs;
    }
    return batch;
  }

  private async invoke(
    batch: Message[],
    handler: (records: SQSRecord[]) => Promise<string[]>,
  ): Promise<void> {
    let failed: Set<string>;
    try {
      failed = new Set(await handler(batch.map((m) => record(m))));
    } catch {
      failed = new Set(batch.map((m) => m.id));
    }
    const done = new Set(batch.filter((m) => !failed.has(m.id) || m.receives >= this.settings.maxReceives));
    this.deadLettered += batch.filter((m) => failed.has(m.id) && done.has(m)).length;
    this.waiting = this.waiting.filter((m) => !done.has(m));
  }
}

function record(m: Message): SQSRecord {
  // A fresh record each time: set in place (a spread followed by a key is V8's slow path, per message).
  const fresh = sqsRecord(m.id, m.body, m.sentAt);
  fresh.attributes.ApproximateReceiveCount = String(m.receives);
  return fresh;
}
