import { CfnOutput, Fn, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { TagKey } from '../lambdas/shared/naming';
import type { SpotlabConfig } from './config/schema';
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
  /** The Spotlab this stack holds: its parts are `runners.jobs`, `runners.scaleUp` and so on. */
  readonly runners: SpotlabRunners;

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
    // The id the table had as `Launcher/Jobs`, before it got its own construct: a changed logical
    // id would make CloudFormation replace the table, and its items with it, on upgrade.
    runners.jobs.keepLogicalId('LauncherJobs5BEFE8D2');

    new CfnOutput(this, StackOutput.webhookUrl, {
      value: runners.webhookUrl,
      description: 'Enter this URL in GitLab: Settings > Webhooks, trigger "Job events" only.',
    });
    if (runners.cache !== undefined) {
      new CfnOutput(this, StackOutput.cacheBucketName, {
        value: runners.cache.bucket.bucketName,
        description: "S3 bucket of the runners' shared cache",
      });
    }
    // What the operator CLI (`npx spotlab status|doctor|drain`) reads to find the deployed resources.
    const operatorOutputs: Record<string, string> = {
      [StackOutput.configHash]: configHash(props.config),
      [StackOutput.jobTableName]: runners.jobs.table.tableName,
      [StackOutput.demandQueueUrl]: runners.queues.demand.queueUrl,
      [StackOutput.demandQueueArn]: runners.queues.demand.queueArn,
      [StackOutput.demandDeadLetterQueueUrl]: runners.queues.demandDeadLetters.queueUrl,
      [StackOutput.lifecycleDeadLetterQueueUrl]: runners.queues.lifecycleDeadLetters.queueUrl,
      [StackOutput.scaleUpFunctionName]: runners.scaleUp.function.functionName,
      [StackOutput.subnetIds]: Fn.join(',', runners.network.subnetIds),
    };
    for (const [id, value] of Object.entries(operatorOutputs)) new CfnOutput(this, id, { value });
  }
}
