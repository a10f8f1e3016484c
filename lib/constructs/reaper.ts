import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { type IRole, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { encodeReaperEnv, poolLimitsOf, type WarmSettings } from '../../lambdas/reaper/env';
import type { SpotlabConfig } from '../config/schema';
import { instanceControlStatements, warmLaunchStatements } from './ec2-policy';
import type { JobTable } from './job-table';
import { iam5Finding, withAcknowledgements } from './nag-acknowledgements';
import type { RunnerNetwork } from './network';
import { grantSecureStringRead, grantTokenCleanup } from './parameter-grants';
import type { RunnerLaunchTemplates } from './runner-launch-templates';
import { createSpotlabFunction } from './spotlab-function';
import { spotlabMetricNamespaces, spotlabName } from './spotlab-name';

/** The parts of the configuration the reaper reads. */
export type ReaperConfig = Pick<
  SpotlabConfig,
  'gitlab' | 'pools' | 'prices' | 'reaper' | 'runnerScope' | 'maxInstances'
>;

/** Properties of {@link Reaper}. */
export interface ReaperProps {
  readonly config: Readonly<ReaperConfig>;
  /** The job table the launcher and lifecycle write. */
  readonly jobs: JobTable;
  /** Where lost demand is enqueued again. */
  readonly demandQueue: IQueue;
  /**
   * The launch templates and network ready instances launch with; needed when a pool has `warm`.
   * @default - no pool may have warm capacity
   */
  readonly warm?: { readonly launchTemplates: RunnerLaunchTemplates; readonly network: RunnerNetwork };
  /**
   * How often the sweep runs.
   * @default Duration.minutes(1)
   */
  readonly interval?: Duration;
  /**
   * Retention of the function's logs.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
}

/**
 * The reaper: a scheduled sweep that reconciles EC2, the job table, token parameters and GitLab,
 * terminates instances that never booted right, idled or outlived their pool's bounds, deletes
 * runners and tokens whose instance is gone, and enqueues again the demand of pending jobs whose
 * webhook GitLab dropped.
 */
export class Reaper extends Construct {
  /** The reaper Lambda. */
  readonly function: LambdaFunction;

  /** Launching ready instances: scale-up's launch statements, for the warm pools' templates only. */
  private grantWarmLaunch(role: IRole, pools: ReaperConfig['pools'], props: ReaperProps): void {
    const warm = props.warm;
    if (warm === undefined) return;
    props.jobs.grantWarmRegistry(role);
    const policy = warmLaunchStatements(this, {
      launchTemplateIds: pools.map((pool) => warm.launchTemplates.launchTemplateId(pool.name)),
      subnetIds: warm.network.subnetIds,
      securityGroup: warm.network.securityGroup,
      instanceRole: warm.launchTemplates.instanceRole,
      images: warm.launchTemplates.images,
    });
    for (const statement of policy.statements) role.addToPrincipalPolicy(statement);
    Validations.of(role).acknowledge(...policy.acknowledgements);
    warm.launchTemplates.grantImageResolution(this.function);
  }

  constructor(scope: Construct, id: string, props: ReaperProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { config } = props;
    const warmPools = config.pools.filter((pool) => pool.warm !== undefined);
    if (warmPools.length > 0 && props.warm === undefined)
      throw new Error(
        `${this.node.path}: pools with warm capacity need the warm launch templates and network`,
      );
    const { function: fn, role } = createSpotlabFunction(this, {
      lambda: 'reaper',
      // A sweep makes bounded GitLab and AWS calls; the next one starts a minute later anyway.
      timeout: Duration.seconds(50),
      logRetention: props.logRetention,
      environment: encodeReaperEnv(
        {
          stackName: spotlabName(this),
          metricsNamespace: spotlabMetricNamespaces(this).lambdas,
          tableName: props.jobs.table.tableName,
          gitlabUrl: config.gitlab.url,
          gitlabTokenParameter: config.gitlab.apiTokenParameter,
          demandQueueUrl: props.demandQueue.queueUrl,
          sweep: {
            poolLimits: poolLimitsOf(config.pools),
            prices: config.prices,
            // The runner listing's type: the same scope scale-up registers runners in.
            runnerScope: config.runnerScope,
            ...config.reaper,
          },
          warm: warmSettings(warmPools, config.maxInstances, props.warm),
        },
        // Launch template and subnet ids are CloudFormation tokens until deploy.
        (value) => stack.toJsonString(value),
      ),
    });
    this.function = fn;
    const schedulerRole = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com'),
    });
    new Schedule(this, 'Every', {
      schedule: ScheduleExpression.rate(props.interval ?? Duration.minutes(1)),
      description: 'Spotlab reaper sweep',
      // A missed or failed sweep is simply the next one's work: no retries, no stale sweeps.
      target: new LambdaInvoke(fn, {
        role: schedulerRole,
        retryAttempts: 0,
        maxEventAge: Duration.minutes(1),
      }),
    });
    Validations.of(schedulerRole).acknowledge({
      id: iam5Finding(stack, `${fn.functionArn}:*`),
      reason:
        "grantInvoke covers the function's qualified ARNs (versions, aliases); the role can invoke this one function only.",
    });

    props.jobs.grantSweep(role);
    props.demandQueue.grantSendMessages(role);
    grantSecureStringRead(this, 'GitlabToken', role, config.gitlab.apiTokenParameter);
    // DescribeInstances (Resource "*": no resource-level permissions) also answers the by-id
    // lookup of a listed runner's instance, whichever stack launched it; nothing else is granted.
    const policy = withAcknowledgements(stack, instanceControlStatements(this));
    for (const statement of policy.statements) role.addToPrincipalPolicy(statement);
    Validations.of(role).acknowledge(...policy.acknowledgements);
    // Lists token names by path and deletes orphans; a Deny keeps their values out of reach.
    grantTokenCleanup(this, role, { listByPath: true });
    if (warmPools.length > 0 && props.warm !== undefined) this.grantWarmLaunch(role, warmPools, props);
  }
}

/** The reaper's warm settings: the pools with warm capacity, with their templates; none without. */
function warmSettings(
  pools: ReaperConfig['pools'],
  maxInstances: number,
  warm: ReaperProps['warm'],
): WarmSettings | undefined {
  if (pools.length === 0 || warm === undefined) return undefined;
  return {
    pools: pools.map((pool) => ({
      name: pool.name,
      launchTemplateId: warm.launchTemplates.launchTemplateId(pool.name),
      instanceTypes: pool.instanceTypes ?? [],
      maxInstances: pool.maxInstances,
      maxLifetimeMinutes: pool.maxLifetimeMinutes,
      jobTimeoutMinutes: pool.jobTimeoutMinutes,
      warm: pool.warm ?? { schedules: [] },
    })),
    subnetIds: warm.network.subnetIds,
    maxInstances,
  };
}
