import { CfnOutput, Duration, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { SpotlabConfig } from './config/schema';
import { JobQueues } from './constructs/job-queues';
import { WebhookApi } from './constructs/webhook-api';

/** Properties of {@link SpotlabStack}. */
export interface SpotlabStackProps extends StackProps {
  /** The validated configuration (see `lib/config/load.ts`). */
  readonly config: Readonly<SpotlabConfig>;
}

/** Tag key on every resource Spotlab creates; also its cost-allocation tag. */
export const SPOTLAB_TAG = 'spotlab:stack';

/**
 * Spotlab's one stack. Environment-agnostic, so `cdk synth` needs no AWS credentials.
 */
export class SpotlabStack extends Stack {
  /** Queues between the webhook and the consumers. */
  readonly queues: JobQueues;
  /** The webhook front door. */
  readonly webhook: WebhookApi;

  constructor(scope: Construct, id: string, props: SpotlabStackProps) {
    super(scope, id, props);
    const { config } = props;
    Tags.of(this).add(SPOTLAB_TAG, this.stackName);
    this.queues = new JobQueues(this, 'Queues');
    this.webhook = new WebhookApi(this, 'Webhook', {
      queues: this.queues,
      webhookSecretParameter: config.gitlab.webhookSecretParameter,
      signingTokenParameter: config.gitlab.signingTokenParameter,
      secretCacheTtl: Duration.seconds(config.webhook.secretCacheSeconds),
      rateLimitPerSecond: config.webhook.rateLimitPerSecond,
      burstLimit: config.webhook.burstLimit,
    });
    new CfnOutput(this, 'WebhookUrl', {
      value: this.webhook.url,
      description: 'Enter this URL in GitLab: Settings > Webhooks, trigger "Job events" only.',
    });
  }
}
