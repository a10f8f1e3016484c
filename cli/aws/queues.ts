import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';

const count = z.string().regex(/^\d+$/).transform(Number);
const attributesSchema = z.object({
  Attributes: z.object({
    ApproximateNumberOfMessages: count,
    ApproximateNumberOfMessagesNotVisible: count,
    ApproximateNumberOfMessagesDelayed: count,
  }),
});

/** A queue's depth. SQS's counts are approximate (eventually consistent, about a minute behind). */
export interface QueueDepth {
  /** Visible: waiting for a consumer. */
  readonly waiting: number;
  /** Received by a consumer and not yet deleted (being processed, or retried after a failure). */
  readonly inFlight: number;
  /** Sent with a delay that has not passed yet. */
  readonly delayed: number;
}

/** `GetQueueAttributes` for the three approximate counts. */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<QueueDepth> {
  const output = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  const a = attributesSchema.parse(output).Attributes;
  return {
    waiting: a.ApproximateNumberOfMessages,
    inFlight: a.ApproximateNumberOfMessagesNotVisible,
    delayed: a.ApproximateNumberOfMessagesDelayed,
  };
}
