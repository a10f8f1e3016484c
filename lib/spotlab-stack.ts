import { CfnOutput, Duration, Fn, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Service } from '../lambdas/shared/metric-names';
import { TagKey } from '../lambdas/shared/naming';
import type { SpotlabConfig } from './config/schema';
import { InterruptionLogTable } from './constructs/interruption-log';
import { JobQueues } from './constructs/job-queues';
import { JobTable } from './constructs/job-table';
import { Lifecycle } from './constructs/lifecycle';
import { Monitoring } from './constructs/monitoring';
import { RunnerNetwork } from './constructs/network';
import { Reaper } from './constructs/reaper';
import { RunnerCache } from './constructs/runner-cache';
import { RunnerLaunchTemplates } from './constructs/runner-launch-templates';
import { SCALE_UP_TIMEOUT, ScaleUp } from './constructs/scale-up';
import { WebhookApi } from './constructs/webhook-api';
import { configHash, StackOutput } from './stack-outputs';

/** Properties of {@link SpotlabStack}. */
export interface SpotlabStackProps extends StackProps {
  /** The validated configuration (see `lib/config/load.ts`). */
  readonly config: Readonly<SpotlabConfig>;
}

/**
 * Spotlab's one stack. Environment-agnostic, so `cdk synth` needs no AWS credentials.
 */
export class SpotlabStack extends Stack {
  /** Queues between the webhook and the consumers. */
  readonly queues: JobQueues;
  /** The webhook front door. */
  readonly webhook: WebhookApi;
  /** Subnets and security group of the runners. */
  readonly network: RunnerNetwork;
  /** The runners' shared cache, unless disabled in the configuration. */
  readonly cache?: RunnerCache;
  /** Launch templates and instance role of the runner VMs. */
  readonly launchTemplates: RunnerLaunchTemplates;
  /** The job table: one item per GitLab job, the exactly-once gate. */
  readonly jobs: JobTable;
  /** Per pool, the recent spot interruptions that hit a job: the pools' cool-down. */
  readonly interruptions: InterruptionLogTable;
  /** The scale-up Lambda. */
  readonly scaleUp: ScaleUp;
  /** The lifecycle Lambda and the EC2 event rules feeding it. */
  readonly lifecycle: Lifecycle;
  /** The scheduled sweep that reaps leftovers and re-enqueues lost demand. */
  readonly reaper: Reaper;
  /** Alarm topic, alarms, dashboard and the optional budget. */
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: SpotlabStackProps) {
    super(scope, id, props);
    const { config } = props;
    // Also the cost-allocation tag; the launcher's IAM conditions key on the same tag on instances.
    Tags.of(this).add(TagKey.stack, this.stackName);
    this.queues = new JobQueues(this, 'Queues', { consumerTimeout: SCALE_UP_TIMEOUT });
    this.webhook = new WebhookApi(this, 'Webhook', {
      queues: this.queues,
      gitlabUrl: config.gitlab.url,
      webhookSecretParameter: config.gitlab.webhookSecretParameter,
      signingTokenParameter: config.gitlab.signingTokenParameter,
      secretCacheTtl: Duration.seconds(config.webhook.secretCacheSeconds),
      rateLimitPerSecond: config.webhook.rateLimitPerSecond,
      burstLimit: config.webhook.burstLimit,
      reservedConcurrency: config.webhook.reservedConcurrency ?? undefined,
    });
    this.network = new RunnerNetwork(this, 'Network', { config: config.network });
    if (config.cache.enabled) {
      this.cache = new RunnerCache(this, 'Cache', {
        expireAfterDays: config.cache.expireAfterDays,
        removal: config.cache.removalPolicy,
      });
    }
    this.launchTemplates = new RunnerLaunchTemplates(this, 'Fleet', {
      pools: config.pools,
      gitlabUrl: config.gitlab.url,
      gitlabRunnerVersion: config.gitlabRunnerVersion,
      securityGroup: this.network.securityGroup,
      cacheBucket: this.cache?.bucket,
      bakedImages: { config: config.bakedImages, buildSubnetId: Fn.select(0, this.network.subnetIds) },
    });
    this.jobs = new JobTable(this, 'JobTable');
    // The id the table had as `Launcher/Jobs`, before it got its own construct: a changed logical
    // id would make CloudFormation replace the table, and its items with it, on upgrade.
    this.jobs.keepLogicalId('LauncherJobs5BEFE8D2');
    this.interruptions = new InterruptionLogTable(this, 'InterruptionLog');
    this.scaleUp = new ScaleUp(this, 'ScaleUp', {
      queues: this.queues,
      jobs: this.jobs,
      interruptions: this.interruptions,
      launchTemplates: this.launchTemplates,
      network: this.network,
      config,
      timeout: SCALE_UP_TIMEOUT,
    });
    this.launchTemplates.grantImageResolution(this.scaleUp.function);
    this.lifecycle = new Lifecycle(this, 'Lifecycle', {
      queues: this.queues,
      jobs: this.jobs,
      interruptions: this.interruptions,
      gitlab: config.gitlab,
      // Both queues share one visibility timeout, derived from this.
      timeout: SCALE_UP_TIMEOUT,
    });
    this.reaper = new Reaper(this, 'Reaper', {
      config,
      jobs: this.jobs,
      demandQueue: this.queues.demand,
      warm: { launchTemplates: this.launchTemplates, network: this.network },
    });
    this.monitoring = new Monitoring(this, 'Monitoring', {
      config,
      functions: {
        [Service.webhook]: this.webhook.function,
        [Service.scaleUp]: this.scaleUp.function,
        [Service.lifecycle]: this.lifecycle.function,
        [Service.reaper]: this.reaper.function,
      },
      queues: this.queues,
    });

    new CfnOutput(this, StackOutput.webhookUrl, {
      value: this.webhook.url,
      description: 'Enter this URL in GitLab: Settings > Webhooks, trigger "Job events" only.',
    });
    if (this.cache !== undefined) {
      new CfnOutput(this, StackOutput.cacheBucketName, {
        value: this.cache.bucket.bucketName,
        description: "S3 bucket of the runners' shared cache",
      });
    }
    // What the operator CLI (`npx spotlab status|doctor|drain`) reads to find the deployed resources.
    const operatorOutputs: Record<string, string> = {
      [StackOutput.configHash]: configHash(config),
      [StackOutput.jobTableName]: this.jobs.table.tableName,
      [StackOutput.demandQueueUrl]: this.queues.demand.queueUrl,
      [StackOutput.demandQueueArn]: this.queues.demand.queueArn,
      [StackOutput.demandDeadLetterQueueUrl]: this.queues.demandDeadLetters.queueUrl,
      [StackOutput.lifecycleDeadLetterQueueUrl]: this.queues.lifecycleDeadLetters.queueUrl,
      [StackOutput.scaleUpFunctionName]: this.scaleUp.function.functionName,
      [StackOutput.subnetIds]: Fn.join(',', this.network.subnetIds),
    };
    for (const [id, value] of Object.entries(operatorOutputs)) new CfnOutput(this, id, { value });
  }
}
