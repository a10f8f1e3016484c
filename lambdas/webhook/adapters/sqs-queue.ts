import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { JobMessage } from '../../shared/job-messages';
import { SDK_CLIENT_CONFIG } from '../../shared/sdk-config';
import { QueueUnavailableError } from '../errors';
import type { JobEventQueue } from '../intake';

/** Queue URLs by message kind: demand feeds scale-up, lifecycle feeds the lifecycle consumer. */
export interface QueueUrls {
  readonly demand: string;
  readonly lifecycle: string;
}

/** The one SQS client of a Lambda environment. */
export function createSqsClient(): SQSClient {
  return new SQSClient(SDK_CLIENT_CONFIG);
}

/**
 * A {@link JobEventQueue} on SQS. The idempotency key also rides as a message attribute so a
 * consumer can drop a duplicate before parsing the body.
 */
export function sqsJobQueue(sqs: SQSClient, urls: QueueUrls): JobEventQueue {
  return {
    async send(message: JobMessage): Promise<void> {
      const command = new SendMessageCommand({
        QueueUrl: message.kind === 'demand' ? urls.demand : urls.lifecycle,
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
    },
  };
}
