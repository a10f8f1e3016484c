import { Aws, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { defaultProjectCap } from '../../lambdas/scale-up/capacity';
import { encodeScaleUpEnv } from '../../lambdas/scale-up/env';
import { EC2_LAUNCH_RATE } from '../../lambdas/scale-up/launch-pacing';
import { runtimePool } from '../../lambdas/scale-up/runtime-pool';
import type { SpotlabConfig } from '../config/schema';
import { scaleUpStatements } from './ec2-policy';
import type { InterruptionLogTable } from './interruption-log';
import type { JobQueues } from './job-queues';
import type { JobTable } from './job-table';
import type { RunnerNetwork } from './network';
import { grantSecureStringRead } from './parameter-grants';
import type { RunnerLaunchTemplates } from './runner-launch-templates';
import { createSpotlabFunction } from './spotlab-function';
import { spotlabMetricNamespaces, spotlabName } from './spotlab-name';

/** Timeout of the scale-up Lambda; the job queues' visibility timeout is derived from it. */
export const SCALE_UP_TIMEOUT = Duration.seconds(60);

/** The parts of the configuration the launcher reads. */
export type ScaleUpConfig = Pick<
  SpotlabConfig,
  | 'gitlab'
  | 'pools'
  | 'runnerScope'
  | 'maxInstances'
  | 'maxSpendPerHourUsd'
  | 'maxInstancesPerProject'
  | 'prices'
  | 'shapeTags'
>;

/** Properties of {@link ScaleUp}. */
export interface ScaleUpProps {
  /** The demand queue feeds the launcher. */
  readonly queues: JobQueues;
  /** The job table the launcher claims jobs in. */
  readonly jobs: JobTable;
  /** The pools' recent spot interruptions, read to choose spot or on-demand. */
  readonly interruptions: InterruptionLogTable;
  /** Launch templates and the instance role the launcher passes to EC2. */
  readonly launchTemplates: RunnerLaunchTemplates;
  /** Subnets to spread instances over and the runners' security group. */
  readonly network: RunnerNetwork;
  /** Pools, caps, prices, runner scope and GitLab settings, as validated at synth. */
  readonly config: Readonly<ScaleUpConfig>;
  /**
   * Timeout of the scale-up Lambda; must match the queues' `consumerTimeout`.
   * @default SCALE_UP_TIMEOUT (60 s)
   */
  readonly timeout?: Duration;
  /**
   * Retention of the function's logs.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
}

/**
 * The launcher: the scale-up Lambda reading the demand queue, claiming each GitLab job in the job
 * table so that it launches at most once. Its role may launch only instances tagged with this stack, from
 * this stack's launch templates, into this stack's subnets, and terminate only those instances.
 */
export class ScaleUp extends Construct {
  /** The scale-up Lambda. */
  readonly function: LambdaFunction;

  constructor(scope: Construct, id: string, props: ScaleUpProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { config, network } = props;
    const { function: fn, role } = createSpotlabFunction(this, {
      lambda: 'scale-up',
      timeout: props.timeout ?? SCALE_UP_TIMEOUT,
      logRetention: props.logRetention,
      environment: encodeScaleUpEnv(
        {
          stackName: spotlabName(this),
          metricsNamespace: spotlabMetricNamespaces(this).lambdas,
          instanceArnPrefix: `arn:${Aws.PARTITION}:ec2:${Aws.REGION}:${Aws.ACCOUNT_ID}:instance/`,
          tableName: props.jobs.table.tableName,
          interruptionTableName: props.interruptions.table.tableName,
          gitlabUrl: config.gitlab.url,
          gitlabTokenParameter: config.gitlab.apiTokenParameter,
          scope: config.runnerScope,
          admission: {
            allowedProjects: config.gitlab.allowedProjects,
            allowedNamespaces: config.gitlab.allowedNamespaces,
          },
          pools: config.pools.map((pool) =>
            runtimePool(pool, props.launchTemplates.launchTemplateId(pool.name)),
          ),
          subnetIds: network.subnetIds,
          limits: {
            maxInstances: config.maxInstances,
            maxSpendPerHourUsd: config.maxSpendPerHourUsd,
            maxInstancesPerProject:
              config.maxInstancesPerProject ?? defaultProjectCap(config.maxInstances, config.gitlab),
          },
          prices: config.prices,
          shapeTags: config.shapeTags,
          demandQueueUrl: props.queues.demand.queueUrl,
          ec2LaunchRate: EC2_LAUNCH_RATE,
        },
        // Launch template and subnet ids are CloudFormation tokens until deploy.
        (value) => stack.toJsonString(value),
      ),
    });
    this.function = fn;
    this.function.addEventSource(
      new SqsEventSource(props.queues.demand, {
        // One invocation sees many pending jobs, so one CreateFleet serves a whole burst.
        batchSize: 50,
        maxBatchingWindow: Duration.seconds(1),
        // Failed jobs come back alone after the visibility timeout; the rest of the batch is done.
        reportBatchItemFailures: true,
        // The lowest value SQS allows. Two invocations at a time keep CreateFleet calls well within
        // EC2's mutating-call token bucket (50 burst, 5 per second), shared with the whole account.
        maxConcurrency: 2,
      }),
    );

    // A job that waits for the launch rate or a cap is re-sent to its own queue with a delay.
    props.queues.demand.grantSendMessages(role);
    // The job ledger's conditional writes are all the function does with the table.
    props.jobs.grantLedger(role);
    props.interruptions.grantRead(role);
    // Claiming ready instances reads the warm registry; only where some pool has warm capacity.
    const warm = config.pools.some((pool) => pool.warm !== undefined);
    if (warm) props.jobs.grantWarmRegistry(role);
    grantSecureStringRead(this, 'GitlabToken', role, config.gitlab.apiTokenParameter);
    const policy = scaleUpStatements(
      this,
      {
        launchTemplateIds: config.pools.map((pool) => props.launchTemplates.launchTemplateId(pool.name)),
        subnetIds: network.subnetIds,
        securityGroup: network.securityGroup,
        instanceRole: props.launchTemplates.instanceRole,
        images: props.launchTemplates.images,
      },
      { tagClaimedReadyInstances: warm },
    );
    for (const statement of policy.statements) role.addToPrincipalPolicy(statement);
    Validations.of(role).acknowledge(...policy.acknowledgements);
  }
}
