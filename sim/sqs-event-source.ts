import type { SQSRecord } from 'aws-lambda';
import type { DemandMessage } from '../lambdas/shared/job-messages';
import type { VirtualTime } from './virtual-time';

/** The demand queue's event source mapping and queue, as the stack configures them. */
export const EVENT_SOURCE = {
  batchSize: 50,
  batchingWindowMs: 1_000,
  maxConcurrency: 2,
  visibilityTimeoutMs: 360_000,
  /** Receives before a failing message counts as lost: the stack's DLQ maxReceiveCount. */
  maxReceives: 5,
} as const;

/** A message on the demand queue. */
export interface Queued {
  readonly record: SQSRecord;
  /** Simulated time from which SQS may deliver it again. */
  visibleAt: number;
  receives: number;
  state: 'waiting' | 'in-flight' | 'done' | 'lost';
}

/**
 * SendMessage with DelaySeconds: a new message (its own id, no receives yet) that SQS delivers no
 * sooner than `delaySeconds` from `at`. This is how scale-up makes a job wait without spending the
 * receives of the message that carried it.
 */
export function sendDelayed(
  queue: Queued[],
  messageId: string,
  message: DemandMessage,
  at: number,
  delaySeconds = 0,
): void {
  queue.push({
    record: sqsRecord(messageId, JSON.stringify(message), at),
    visibleAt: at + delaySeconds * 1000,
    receives: 0,
    state: 'waiting',
  });
}

/** A demand message as the webhook enqueues it for job `jobId` received at `at` (ms). */
export function demandMessage(jobId: number, projectId: number, at: number): DemandMessage {
  return {
    v: 1,
    kind: 'demand',
    status: 'pending',
    jobId,
    projectId,
    pipelineId: 500_000 + projectId,
    jobName: 'test',
    idempotencyKey: `${jobId}:pending`,
    receivedAt: new Date(at).toISOString(),
    queuedDurationSeconds: 0,
    retriesCount: 0,
    createdAt: new Date(at).toISOString(),
  };
}

/** An SQS record as Lambda's poller hands it over, carrying `body`. */
export function sqsRecord(messageId: string, body: string, at = 0): SQSRecord {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body,
    messageAttributes: {},
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(at),
      SenderId: 'AROAWEBHOOK',
      ApproximateFirstReceiveTimestamp: String(at),
    },
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:spotlab-demand',
    awsRegion: 'eu-west-1',
  };
}

/** The SQS record of a pending job's demand message, as the webhook enqueues it at `at`. */
export function demandRecord(jobId: number, projectId: number, at: number): SQSRecord {
  return sqsRecord(`msg-${jobId}`, JSON.stringify(demandMessage(jobId, projectId, at)), at);
}

/**
 * Lambda's SQS poller after {@link EVENT_SOURCE}: batches of up to 50 with a batching window, at most
 * 2 invocations in flight. `invoke` returns the message ids to retry (`batchItemFailures`); those, and
 * every message of a batch whose invocation throws, are visible again after the visibility timeout.
 * Resolves when every message of `queue` is done or lost; updates each message's state as it goes.
 */
export async function eventSource(
  queue: Queued[],
  vt: VirtualTime,
  invoke: (records: SQSRecord[]) => Promise<string[]>,
): Promise<void> {
  const now = () => vt.clock.now();
  // Messages not yet done or lost, in the order they were sent; new ones (scale-up's re-sends)
  // join from the end of `queue`. One pass a look keeps a burst of 50,000 quick.
  let active: Queued[] = [];
  let seen = 0;
  const look = () => {
    for (; seen < queue.length; seen += 1) {
      const m = queue[seen];
      if (m !== undefined) active.push(m);
    }
    active = active.filter((m) => m.state === 'waiting' || m.state === 'in-flight');
    const at = now();
    const visible: Queued[] = [];
    let waiting = 0;
    let nextVisibleAt = Number.POSITIVE_INFINITY;
    for (const m of active) {
      if (m.state !== 'waiting') continue;
      waiting += 1;
      if (m.visibleAt <= at) {
        if (visible.length < EVENT_SOURCE.batchSize) visible.push(m);
      } else nextVisibleAt = Math.min(nextVisibleAt, m.visibleAt);
    }
    return { waiting, visible, nextVisibleAt };
  };
  const inFlight = new Set<Promise<void>>();
  for (let view = look(); view.waiting > 0 || inFlight.size > 0; view = look()) {
    if (inFlight.size >= EVENT_SOURCE.maxConcurrency || view.waiting === 0) {
      await Promise.race(inFlight);
      continue;
    }
    if (view.visible.length === 0) {
      await Promise.race([vt.sleep(view.nextVisibleAt - now()), ...inFlight]);
      continue;
    }
    const windowEnd = now() + EVENT_SOURCE.batchingWindowMs;
    let ready = view;
    while (ready.visible.length < EVENT_SOURCE.batchSize && now() < windowEnd) {
      await vt.sleep(Math.min(windowEnd, ready.nextVisibleAt) - now());
      ready = look();
    }
    const batch = ready.visible;
    const receivedAt = now();
    for (const m of batch) {
      m.state = 'in-flight';
      m.receives += 1;
    }
    const run = invoke(
      batch.map((m) => ({
        ...m.record,
        attributes: { ...m.record.attributes, ApproximateReceiveCount: String(m.receives) },
      })),
    )
      .then(
        (retry) => retry,
        // A function error (the handler threw) fails the whole batch, as SQS sees it.
        () => batch.map((m) => m.record.messageId),
      )
      .then((retry) => {
        const failed = new Set(retry);
        for (const m of batch) {
          if (!failed.has(m.record.messageId)) m.state = 'done';
          else if (m.receives >= EVENT_SOURCE.maxReceives) m.state = 'lost';
          else {
            // SQS hides a received message for the visibility timeout; a listed failure reappears then.
            m.state = 'waiting';
            m.visibleAt = receivedAt + EVENT_SOURCE.visibilityTimeoutMs;
          }
        }
      });
    inFlight.add(run);
    run.finally(() => inFlight.delete(run)).catch(() => undefined);
  }
}
