import { Aws, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { RuntimePool } from '../../lambdas/scale-up/settings';
import { JOB_TABLE_INSTANCE_INDEX, JOB_TABLE_LAUNCH_INDEX } from '../../lambdas/shared/naming';
import type { PoolConfig, SpotlabConfig } from '../config/schema';
import type { JobQueues } from './job-queues';
import { launcherStatements } from './launcher-policy';
import type { RunnerNetwork } from './network';
import type { RunnerFleet } from './runner-fleet';
import { createSpotlabFunction } from './spotlab-function';

/** Timeout of the scale-up Lambda; the job queues' visibility timeout is derived from it. */
export const SCALE_UP_TIMEOUT = Duration.seconds(60);

/** The parts of the configuration the launcher reads. */
export type LauncherConfig = Pick<
  SpotlabConfig,
  'gitlab' | 'pools' | 'runnerScope' | 'maxInstances' | 'maxSpendPerHourUsd' | 'prices' | 'shapeTags'
>;

/** Properties of {@link Launcher}. */
export interface LauncherProps {
  /** The demand queue feeds the launcher. */
  readonly queues: JobQueues;
  /** Launch templates and the instance role the launcher passes to EC2. */
  readonly fleet: RunnerFleet;
  /** Subnets to spread instances over and the runners' security group. */
  readonly network: RunnerNetwork;
  /** Pools, caps, prices, runner scope and GitLab settings, as validated at synth. */
  readonly config: Readonly<LauncherConfig>;
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
 * The launcher: the scale-up Lambda reading the demand queue, and the job table that makes each
 * GitLab job launch at most once. Its role may launch only instances tagged with this stack, from
 * this stack's launch templates, into this stack's subnets, and terminate only those instances.
 */
export class Launcher extends Construct {
  /** Job ledger: one item per GitLab job id, expiring after a week. */
  readonly table: Table;
  /** The scale-up Lambda. */
  readonly function: NodejsFunction;

  constructor(scope: Construct, id: string, props: LauncherProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.table = new Table(this, 'Jobs', {
      partitionKey: { name: 'jobId', type: AttributeType.NUMBER },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiresAt',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      // Short-lived dedupe state; EC2 tags and GitLab stay the truth the reaper reconciles with.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // EC2 events name instances, not jobs: the lifecycle consumer finds the job through this.
    this.table.addGlobalSecondaryIndex({
      indexName: JOB_TABLE_INSTANCE_INDEX,
      partitionKey: { name: 'instanceId', type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
    // A spot warning or state change for an instance whose job's `running` webhook GitLab dropped
    // names no job above; the runner the launch registered there leads to it (or to its cleanup).
    this.table.addGlobalSecondaryIndex({
      indexName: JOB_TABLE_LAUNCH_INDEX,
      partitionKey: { name: 'launchInstanceId', type: AttributeType.STRING },
      projectionType: ProjectionType.INCLUDE,
      nonKeyAttributes: ['launchRunnerId', 'launchWarned'],
    });

    const { config, network } = props;
    const { function: fn, role } = createSpotlabFunction(this, {
      lambda: 'scale-up',
      timeout: props.timeout ?? SCALE_UP_TIMEOUT,
      logRetention: props.logRetention,
      environment: {
        STACK_NAME: stack.stackName,
        RUNNER_INSTANCE_ARN_PREFIX: `arn:${Aws.PARTITION}:ec2:${Aws.REGION}:${Aws.ACCOUNT_ID}:instance/`,
        JOB_TABLE_NAME: this.table.tableName,
        GITLAB_URL: config.gitlab.url,
        GITLAB_TOKEN_PARAMETER: config.gitlab.apiTokenParameter,
        RUNNER_SCOPE: JSON.stringify(config.runnerScope),
        POOLS: stack.toJsonString(config.pools.map((pool) => runtimePool(pool, props.fleet))),
        SUBNET_IDS: stack.toJsonString(network.subnetIds),
        MAX_INSTANCES: String(config.maxInstances),
        MAX_SPEND_PER_HOUR_USD: String(config.maxSpendPerHourUsd),
        PRICES: JSON.stringify(config.prices),
        SHAPE_TAGS: JSON.stringify(config.shapeTags),
      },
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

    // The job ledger's conditional writes are all the function does with the table.
    // Table.grant would add `<table>/index/*`; scale-up reads no index.
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        resources: [this.table.tableArn],
      }),
    );
    // Decryption with the AWS managed key aws/ssm needs no KMS grant (see WebhookApi).
    StringParameter.fromSecureStringParameterAttributes(this, 'GitlabToken', {
      parameterName: config.gitlab.apiTokenParameter,
    }).grantRead(role);
    const policy = launcherStatements(stack, {
      launchTemplateIds: config.pools.map((pool) => props.fleet.launchTemplateId(pool.name)),
      subnetIds: network.subnetIds,
      securityGroup: network.securityGroup,
      instanceRole: props.fleet.instanceRole,
    });
    for (const statement of policy.statements) role.addToPrincipalPolicy(statement);
    Validations.of(role).acknowledge(...policy.acknowledgements);
  }
}

/** A pool as scale-up sees it: the configured pool plus its launch template. */
function runtimePool(pool: PoolConfig, fleet: RunnerFleet): RuntimePool {
  return {
    name: pool.name,
    tags: pool.tags,
    runUntagged: pool.runUntagged,
    architecture: pool.architecture,
    launchTemplateId: fleet.launchTemplateId(pool.name),
    instanceTypes: pool.instanceTypes,
    instanceRequirements: pool.instanceRequirements,
    maxInstances: pool.maxInstances,
    onDemandFallback: pool.onDemandFallback,
    onDemandForRetries: pool.onDemandForRetries,
    jobTimeoutSeconds: pool.jobTimeoutMinutes * 60,
  };
}
