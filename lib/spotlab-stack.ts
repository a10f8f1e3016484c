import { CfnOutput, Fn, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { TagKey } from '../lambdas/shared/naming';
import type { SpotlabConfig } from './config/schema';
import type { InterruptionLogTable } from './constructs/interruption-log';
import type { JobQueues } from './constructs/job-queues';
import type { JobTable } from './constructs/job-table';
import type { Lifecycle } from './constructs/lifecycle';
import type { Monitoring } from './constructs/monitoring';
import type { RunnerNetwork } from './constructs/network';
import type { Reaper } from './constructs/reaper';
import type { RunnerCache } from './constructs/runner-cache';
import type { RunnerLaunchTemplates } from './constructs/runner-launch-templates';
import type { ScaleUp } from './constructs/scale-up';
import type { WebhookApi } from './constructs/webhook-api';
import { SpotlabRunners } from './spotlab-runners';
import { configHash, StackOutput } from './stack-outputs';

/** Properties of {@link SpotlabStack}. */
export interface SpotlabStackProps extends StackProps {
  /** The validated configuration (see `lib/config/load.ts`). */
  readonly config: Readonly<SpotlabConfig>;
}

/**
 * The shipped app's one stack: a {@link SpotlabRunners} named after the stack, and the outputs
 * the operator CLI reads. Environment-agnostic, so `cdk synth` needs no AWS credentials.
 */
export class SpotlabStack extends Stack {
  /** The Spotlab this stack holds. */
  readonly runners: SpotlabRunners;
  readonly queues: JobQueues;
  readonly webhook: WebhookApi;
  readonly network: RunnerNetwork;
  readonly cache?: RunnerCache;
  readonly launchTemplates: RunnerLaunchTemplates;
  readonly jobs: JobTable;
  readonly interruptions: InterruptionLogTable;
  readonly scaleUp: ScaleUp;
  readonly lifecycle: Lifecycle;
  readonly reaper: Reaper;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: SpotlabStackProps) {
    super(scope, id, props);
    const { stackName: name, ...settings } = props.config;
    // The stack-level tag also covers what CDK puts beside the construct (the custom-resource
    // provider of the image pipelines).
    Tags.of(this).add(TagKey.stack, this.stackName);
    // `Default` leaves no trace in logical ids: the resources keep the ids they had before the
    // construct existed, so an upgrade replaces nothing.
    const runners = new SpotlabRunners(this, 'Default', { ...settings, name });
    this.runners = runners;
    ({ queues: this.queues, webhook: this.webhook, network: this.network, cache: this.cache } = runners);
    ({ launchTemplates: this.launchTemplates, jobs: this.jobs, scaleUp: this.scaleUp } = runners);
    ({ interruptions: this.interruptions } = runners);
    ({ lifecycle: this.lifecycle, reaper: this.reaper, monitoring: this.monitoring } = runners);
    // The id the table had as `Launcher/Jobs`, before it got its own construct: a changed logical
    // id would make CloudFormation replace the table, and its items with it, on upgrade.
    this.jobs.keepLogicalId('LauncherJobs5BEFE8D2');

    new CfnOutput(this, StackOutput.webhookUrl, {
      value: runners.webhookUrl,
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
      [StackOutput.configHash]: configHash(props.config),
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
