import type { SQSRecord } from 'aws-lambda';
import { sqsRecord } from '../sqs-event-source';
import type { Scheduler } from './scheduler';

/** How Lambda's event source mapping reads a queue. */
export interface QueueSettings {
  readonly name: string;
  readonly batchSize: number;
  readonly maxConcurrency: number;
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
 * A standard SQS queue and its event source mapping: every poll takes up to `maxConcurrency`
 * batches of visible messages; ids the function returns (`batchItemFailures`), and the whole batch
 * when it throws, come back after the visibility timeout; `maxReceives` failures send a message
 * to the dead-letter queue.
 */
export class SimQueue {
  private waiting: Message[] = [];
  private sent = 0;
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

  /** SendMessage. */
  send(body: string): void {
    this.sent += 1;
    const now = this.scheduler.now;
    this.waiting.push({
      id: `${this.settings.name}-${this.sent}`,
      body,
      sentAt: now,
      visibleAt: now,
      receives: 0,
    });
  }

  /** One poll of the event source: invokes `handler` per batch; answers whether it invoked at all. */
  async poll(handler: (records: SQSRecord[]) => Promise<string[]>): Promise<boolean> {
    let invoked = false;
    for (let round = 0; round < this.settings.maxConcurrency; round += 1) {
      const now = this.scheduler.now;
      const batch = this.waiting.filter((m) => m.visibleAt <= now).slice(0, this.settings.batchSize);
      if (batch.length === 0) break;
      invoked = true;
      this.invocations += 1;
      for (const m of batch) {
        m.receives += 1;
        if (m.receives > 1) this.redeliveries += 1;
        m.visibleAt = now + this.settings.visibilityTimeoutMs;
      }
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
    return invoked;
  }
}

function record(m: Message): SQSRecord {
  const base = sqsRecord(m.id, m.body, m.sentAt);
  return { ...base, attributes: { ...base.attributes, ApproximateReceiveCount: String(m.receives) } };
}
