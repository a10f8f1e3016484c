import type { SQSRecord } from 'aws-lambda';
import { type LifecycleEvent, parseLifecycleBody } from './events';
import type { LifecycleObserver } from './observer';

/** A lifecycle event and the SQS message that carried it. */
export interface LifecycleItem {
  readonly messageId: string;
  readonly event: LifecycleEvent;
}

/**
 * Parses the batch. A message that cannot be read never will be: it is acknowledged (reported,
 * counted) instead of being retried into the DLQ. An event that repeats one earlier in the batch
 * is handled once: a job reaches each status once (a second delivery is a duplicate, whatever its
 * `Idempotency-Key`), and `shutting-down` and `terminated` of one instance ask for the same work.
 */
export function readLifecycleRecords(
  records: readonly SQSRecord[],
  observer: LifecycleObserver,
): LifecycleItem[] {
  const seen = new Set<string>();
  const items: LifecycleItem[] = [];
  for (const record of records) {
    const parsed = parseLifecycleBody(record.body);
    if (parsed.kind === 'invalid') {
      observer.invalidMessage(record.messageId, parsed.problem);
      continue;
    }
    if (parsed.kind === 'ignored') {
      observer.ignored(parsed.reason, record.messageId);
      continue;
    }
    const key = eventKey(parsed.event);
    if (seen.has(key)) {
      observer.ignored('duplicate_in_batch', record.messageId);
      continue;
    }
    seen.add(key);
    items.push({ messageId: record.messageId, event: parsed.event });
  }
  return items;
}

function eventKey(event: LifecycleEvent): string {
  if (event.kind === 'job') return `job:${event.message.jobId}:${event.message.status}`;
  return `${event.kind}:${event.instanceId}`;
}
