import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { CfnBudget } from 'aws-cdk-lib/aws-budgets';
import type { Alarm, Dashboard } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { SpotlabConfig } from '../config/schema';
import type { JobQueues } from './job-queues';
import { type AlarmsConfig, createAlarms } from './monitoring-alarms';
import { createBudget } from './monitoring-budget';
import { createDashboard } from './monitoring-dashboard';
import type { ServiceName } from './monitoring-metrics';
import { spotlabMetricNamespaces, spotlabName } from './spotlab-name';
import type { WafMetricNames } from './webhook-waf';

/** The parts of the configuration monitoring reads. */
export type MonitoringConfig = AlarmsConfig & Pick<SpotlabConfig, 'alarmEmail' | 'budget'>;

/** Properties of {@link Monitoring}. */
export interface MonitoringProps {
  readonly config: Readonly<MonitoringConfig>;
  /** Every Spotlab Lambda, by the `service` dimension it emits metrics with. */
  readonly functions: Readonly<Record<ServiceName, IFunction>>;
  /** The job queues; their dead-letter queues are alarmed. */
  readonly queues: JobQueues;
  /**
   * The webhook's WAF metrics, graphed beside the webhook's own.
   * @default - no WAF (`webhook.waf` unset): no graph
   */
  readonly wafMetrics?: WafMetricNames;
  /**
   * An existing topic for alarms and budget notifications. Its owner's policy must let CloudWatch
   * (and Budgets, with a budget) publish: nothing is added to an imported topic or its key.
   * @default - a topic of Spotlab's own, encrypted with {@link encryptionKey}
   */
  readonly topic?: ITopic;
  /**
   * The key that encrypts Spotlab's own topic; Spotlab adds the CloudWatch and Budgets grants
   * to its policy (an imported key's policy stays as it is: grant them there).
   * @default - a key of Spotlab's own, rotated yearly
   */
  readonly encryptionKey?: IKey;
}

/**
 * Spotlab's observability and cost guardrails: an encrypted SNS topic (with an e-mail
 * subscription when the configuration names an address), alarms on spend, capacity, dead letters,
 * GitLab auth, webhook refusals, Lambda errors and throttles and job wait, a dashboard, and an
 * optional monthly AWS Budget on the stack's cost-allocation tag.
 */
export class Monitoring extends Construct {
  /** Where alarms and budget notifications go. */
  readonly topic: ITopic;
  /** Every alarm, each notifying {@link topic} when it fires and when it clears. */
  readonly alarms: readonly Alarm[];
  readonly dashboard: Dashboard;
  /** The monthly budget, when configured. */
  readonly budget?: CfnBudget;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const name = spotlabName(this);
    const namespaces = spotlabMetricNamespaces(this);
    const { config } = props;
    this.topic =
      props.topic ?? this.createTopic(stack, name, config.budget !== undefined, props.encryptionKey);
    if (config.alarmEmail !== undefined) {
      // SNS sends a confirmation e-mail; nothing arrives until the recipient confirms.
      this.topic.addSubscription(new EmailSubscription(config.alarmEmail));
    }
    this.alarms = createAlarms(this, {
      config,
      functions: props.functions,
      deadLetterQueues: {
        demand: props.queues.demandDeadLetters,
        lifecycle: props.queues.lifecycleDeadLetters,
      },
      action: new SnsAction(this.topic),
      namePrefix: name,
      namespaces,
      wafMetrics: props.wafMetrics,
    });
    this.dashboard = createDashboard(this, {
      config,
      stackName: name,
      functions: props.functions,
      queues: props.queues,
      wafMetrics: props.wafMetrics,
      alarms: this.alarms,
      namespaces,
    });
    if (config.budget !== undefined) {
      this.budget = createBudget(this, name, config.budget, this.topic);
    }
  }

  /**
   * The topic, encrypted with its own key: CloudWatch and Budgets cannot publish to a topic under
   * the AWS managed key `aws/sns`, whose policy they may not use.
   */
  private createTopic(stack: Stack, name: string, forBudget: boolean, given?: IKey): Topic {
    const key =
      given ??
      new Key(this, 'TopicKey', {
        description: `Spotlab ${name}: encrypts the alarm topic`,
        enableKeyRotation: true,
        // Alarm messages are transient: nothing needs the key once the stack is gone.
        removalPolicy: RemovalPolicy.DESTROY,
        pendingWindow: Duration.days(7),
      });
    const topic = new Topic(this, 'Topic', {
      displayName: `Spotlab ${name} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    const alarmArns = `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:${name}-*`;
    const fromAlarms = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': alarmArns },
    };
    // A topic policy replaces SNS's default one, so CloudWatch is allowed explicitly, for this
    // stack's alarms only (confused-deputy guard).
    const cloudwatch = new ServicePrincipal('cloudwatch.amazonaws.com');
    topic.addToResourcePolicy(
      new PolicyStatement({
        principals: [cloudwatch],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: fromAlarms,
      }),
    );
    // In a key policy, `*` is this key.
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [cloudwatch],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: fromAlarms,
      }),
    );
    if (forBudget) this.allowBudgets(stack, topic, key);
    return topic;
  }

  private allowBudgets(stack: Stack, topic: Topic, key: IKey): void {
    const budgets = new ServicePrincipal('budgets.amazonaws.com');
    topic.addToResourcePolicy(
      new PolicyStatement({
        principals: [budgets],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:budgets::${stack.account}:*` },
        },
      }),
    );
    // No condition: AWS documents none for Budgets' KMS calls, and one the call does not carry would
    // drop every notification silently. The topic policy above keeps other accounts' budgets out.
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [budgets],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
  }
}
