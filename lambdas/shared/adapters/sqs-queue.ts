import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { QueueUnavailableError } from '../errors';
import type { DemandMessage, JobMessage } from '../job-messages';
import { SDK_CLIENT_CONFIG } from '../sdk-config';

/** Queue URLs by message kind: demand feeds scale-up, lifecycle feeds the lifecycle consumer. */
export interface QueueUrls {
  readonly demand: string;
  readonly lifecycle: string;
}

/** Where job messages go (the webhook's accepted events). */
export interface JobMessageQueue {
  send(message: JobMessage): Promise<void>;
}

/** Where demand goes (the reaper's re-enqueued lost demand, scale-up's deferred demand). */
export interface DemandQueue {
  /** @param delaySeconds SQS's DelaySeconds (0–900): the message stays invisible that long. */
  send(message: DemandMessage, delaySeconds?: number): Promise<void>;
}

/** The one SQS client of a Lambda environment. */
export function createSqsClient(): SQSClient {
  return new SQSClient(SDK_CLIENT_CONFIG);
}

/**
 * A {@link JobMessageQueue} on SQS. The idempotency key also rides as a message attribute so a
 * consumer can drop a duplicate before parsing the body.
 */
export function sqsJobQueue(sqs: SQSClient, urls: QueueUrls): JobMessageQueue {
  return {
    send: (message) => sendJobMessage(sqs, message.kind === 'demand' ? urls.demand : urls.lifecycle, message),
  };
}

/** A {@link DemandQueue} on SQS: the same messages, attributes and errors as the webhook's. */
export function sqsDemandQueue(sqs: SQSClient, demandUrl: string): DemandQueue {
  return { send: (message, delaySeconds) => sendJobMessage(sqs, demandUrl, message, delaySeconds) };
}

/** @throws QueueUnavailableError when SQS refused the message after the SDK's retries. */
async function sendJobMessage(
  sqs: SQSClient,
  queueUrl: string,
  message: JobMessage,
  delaySeconds?: number,
): Promise<void> {
  const command = new SendMessageCommand({
    QueueUrl: queueUrl,
    ...(delaySeconds === undefined ? {} : { DelaySeconds: delaySeconds }),
    MessageBody: JSON.stringify(message),
    MessageAttributes: {
      kind: { DataType: 'String', StringValue: message.kind },
      idempotencyKey: { DataType: 'String', StringValue: message.idempotencyKey },
      jobId: { DataType: 'Number', StringValue: String(message.jobId) },
    },
  });
  try {
    await sqs.send(command);
  } catch (error) {
    throw new QueueUnavailableError('SQS did not accept the job message', { cause: error });
  }
}
