import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { encodeLifecycleEnv } from '../../lambdas/lifecycle/env';
import type { SpotlabConfig } from '../config/schema';
import { instanceControlStatements } from './ec2-policy';
import type { InterruptionLogTable } from './interruption-log';
import type { JobQueues } from './job-queues';
import type { JobTable } from './job-table';
import { withAcknowledgements } from './nag-acknowledgements';
import { grantSecureStringRead, grantTokenCleanup } from './parameter-grants';
import { createSpotlabFunction } from './spotlab-function';
import { spotlabMetricNamespaces, spotlabName } from './spotlab-name';

/** Properties of {@link Lifecycle}. */
export interface LifecycleProps {
  /** The lifecycle queue: the webhook's job events and EC2's instance events both land there. */
  readonly queues: JobQueues;
  /** The job table the launcher claims jobs in; the lifecycle records how they run and end. */
  readonly jobs: JobTable;
  /** Where interruptions that hit a job are noted, for the pools' cool-down. */
  readonly interruptions: InterruptionLogTable;
  readonly gitlab: SpotlabConfig['gitlab'];
  /** Must match the queues' `consumerTimeout`. */
  readonly timeout: Duration;
  /**
   * Retention of the function's logs.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
}

/**
 * Cleans up as jobs end and instances go: the lifecycle Lambda reads the lifecycle queue, fed by
 * the webhook (running and finished jobs) and by EventBridge (spot interruption warnings, instances
 * shutting down or terminated). Routing EC2's events through the queue gives them the same retries,
 * DLQ and alarm as the webhook's.
 */
export class Lifecycle extends Construct {
  /** The lifecycle Lambda. */
  readonly function: LambdaFunction;

  constructor(scope: Construct, id: string, props: LifecycleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { function: fn, role } = createSpotlabFunction(this, {
      lambda: 'lifecycle',
      timeout: props.timeout,
      logRetention: props.logRetention,
      environment: encodeLifecycleEnv({
        stackName: spotlabName(this),
        metricsNamespace: spotlabMetricNamespaces(this).lambdas,
        tableName: props.jobs.table.tableName,
        interruptionTableName: props.interruptions.table.tableName,
        demandQueueUrl: props.queues.demand.queueUrl,
        gitlabUrl: props.gitlab.url,
        gitlabTokenParameter: props.gitlab.apiTokenParameter,
      }),
    });
    this.function = fn;
    fn.addEventSource(
      new SqsEventSource(props.queues.lifecycle, {
        batchSize: 20,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        maxConcurrency: 2,
      }),
    );

    // EC2 events carry no tags, so these rules see every instance of the account and Region; the
    // consumer keeps only those in the job table (one indexed read per event).
    const toQueue = new SqsQueue(props.queues.lifecycle);
    new Rule(this, 'SpotInterruptionWarnings', {
      description: 'Spot interruption warnings, for Spotlab to retry the interrupted job',
      eventPattern: { source: ['aws.ec2'], detailType: ['EC2 Spot Instance Interruption Warning'] },
      targets: [toQueue],
    });
    new Rule(this, 'InstancesGoing', {
      description: 'Instances shutting down or terminated, for Spotlab to delete their runners and tokens',
      eventPattern: {
        source: ['aws.ec2'],
        detailType: ['EC2 Instance State-change Notification'],
        detail: { state: ['shutting-down', 'terminated'] },
      },
      targets: [toQueue],
    });

    props.jobs.grantJournal(role);
    props.interruptions.grantNote(role);
    // A job whose launched instance another job took goes back on the demand queue at once.
    props.queues.demand.grantSendMessages(role);
    grantSecureStringRead(this, 'GitlabToken', role, props.gitlab.apiTokenParameter);
    const policy = withAcknowledgements(stack, instanceControlStatements(this));
    for (const statement of policy.statements) role.addToPrincipalPolicy(statement);
    Validations.of(role).acknowledge(...policy.acknowledgements);
    // Deletes the token of an instance that went away; reads none.
    grantTokenCleanup(this, role, { listByPath: false });
  }
}
