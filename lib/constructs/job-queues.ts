import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Properties of {@link JobQueues}. */
export interface JobQueuesProps {
  /**
   * Timeout of the Lambdas that will consume the queues. SQS visibility is six times this, as
   * AWS advises for Lambda event sources, so a slow batch is not delivered twice.
   * @default Duration.seconds(60)
   */
  readonly consumerTimeout?: Duration;
  /**
   * Receives before a message moves to its dead-letter queue.
   * @default 5
   */
  readonly maxReceiveCount?: number;
}

/**
 * The two queues between the webhook and the consumers, each with a dead-letter queue: demand
 * (pending jobs, read by scale-up) and lifecycle (running and finished jobs).
 */
export class JobQueues extends Construct {
  /** Pending jobs waiting for capacity. */
  readonly demand: Queue;
  /** Runner assignments and finished jobs. */
  readonly lifecycle: Queue;
  /** Where demand messages go after `maxReceiveCount` failed receives. */
  readonly demandDeadLetters: Queue;
  /** Where lifecycle messages go after `maxReceiveCount` failed receives. */
  readonly lifecycleDeadLetters: Queue;

  constructor(scope: Construct, id: string, props: JobQueuesProps = {}) {
    super(scope, id);
    const consumerTimeout = props.consumerTimeout ?? Duration.seconds(60);
    const maxReceiveCount = props.maxReceiveCount ?? 5;
    if (maxReceiveCount < 5) throw new Error(`${this.node.path}: maxReceiveCount must be at least 5`);
    const deadLetterQueue = (name: string): Queue =>
      new Queue(this, name, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
    const queue = (name: string, deadLetters: Queue): Queue =>
      new Queue(this, name, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        visibilityTimeout: Duration.seconds(consumerTimeout.toSeconds() * 6),
        // GitLab fails a pending job after an hour without a runner; a day covers an outage of
        // the consumer with room to spare, and the consumer re-checks each job before launching.
        retentionPeriod: Duration.days(1),
        deadLetterQueue: { queue: deadLetters, maxReceiveCount },
      });
    this.demandDeadLetters = deadLetterQueue('DemandDeadLetters');
    this.lifecycleDeadLetters = deadLetterQueue('LifecycleDeadLetters');
    this.demand = queue('Demand', this.demandDeadLetters);
    this.lifecycle = queue('Lifecycle', this.lifecycleDeadLetters);
  }
}
