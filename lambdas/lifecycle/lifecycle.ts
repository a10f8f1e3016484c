import { mapLimit } from '../shared/map-limit';
import type { LifecycleEvent } from './events';
import { onInstanceGone, onSpotWarning } from './instance-events';
import { onFinished, onRunning } from './job-events';
import { failure, type Outcome } from './outcome';
import type { LifecyclePorts } from './ports';
import type { LifecycleItem } from './read-records';

/** Everything the lifecycle consumer talks to. */
export interface LifecycleDeps extends LifecyclePorts {
  /** Events handled at once within a phase. @default 4 */
  readonly concurrency?: number;
}

// Events of one batch go in phases, so that what one phase writes the next one reads: a job's
// `running` before a spot warning for its instance, a warning before its instance's state change.
const PHASES: readonly LifecycleEvent['kind'][] = ['job', 'spot-warning', 'instance-gone'];

/**
 * Handles a batch of lifecycle events: job progress from the webhook, spot interruption warnings
 * and instance state changes from EventBridge. Every handler is idempotent, so SQS's at-least-once
 * delivery and any order of arrival end in the same state.
 * @returns ids of the messages to retry (SQS redelivers them after the visibility timeout).
 */
export async function handleLifecycle(
  items: readonly LifecycleItem[],
  deps: LifecycleDeps,
): Promise<string[]> {
  const retry: string[] = [];
  for (const phase of PHASES) {
    const batch = items.filter((item) => item.event.kind === phase);
    await mapLimit(batch, deps.concurrency ?? 4, async (item) => {
      if ((await handleEvent(item.event, deps)) === 'retry') retry.push(item.messageId);
    });
  }
  return retry;
}

async function handleEvent(event: LifecycleEvent, deps: LifecycleDeps): Promise<Outcome> {
  try {
    if (event.kind === 'spot-warning') return await onSpotWarning(event.instanceId, deps);
    if (event.kind === 'instance-gone') return await onInstanceGone(event.instanceId, deps);
    const { message } = event;
    return message.status === 'running'
      ? await onRunning(message, deps)
      : await onFinished(message, message.status, deps);
  } catch (error) {
    // Handlers let only job table errors through; the rest they report themselves.
    return failure(
      'journal',
      event.kind === 'job' ? event.message.jobId : event.instanceId,
      error,
      deps.observer,
    );
  }
}
