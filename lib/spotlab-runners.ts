import { Duration, Fn, Stack, Tags } from 'aws-cdk-lib';
import { PermissionsBoundary } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
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
import { SPOTLAB_NAME_CONTEXT } from './constructs/spotlab-name';
import { WebhookApi } from './constructs/webhook-api';
import { parseRunnersProps, type SpotlabRunnersProps } from './runners-props';

/**
 * Spotlab in any CDK app: GitLab CI jobs on EC2 spot, one fresh VM per job, nothing running while
 * no job waits. Its props are the configuration file's keys (docs/configuration.md), validated at
 * construction; several may share a stack when their `name`s differ.
 */
export class SpotlabRunners extends Construct {
  /** The validated configuration, defaults filled in (`stackName` is {@link name}). */
  readonly config: Readonly<SpotlabConfig>;
  /** This Spotlab's name (tags, SSM paths, alarm and dashboard names). */
  readonly name: string;
  /** Queues between the webhook and the consumers. */
  readonly queues: JobQueues;
  /** The webhook front door; enter {@link webhookUrl} in GitLab. */
  readonly webhook: WebhookApi;
  /** Subnets and security group of the runners. */
  readonly network: RunnerNetwork;
  /** The runners' shared cache, unless disabled. */
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

  constructor(scope: Construct, id: string, props: SpotlabRunnersProps) {
    super(scope, id);
    this.name = props.name ?? `${Stack.of(this).stackName}-${id}`;
    const config = parseRunnersProps(this.node.path, this.name, props);
    this.config = config;
    // Before any child exists: every part reads its Spotlab's name from here (spotlab-name.ts).
    this.node.setContext(SPOTLAB_NAME_CONTEXT, this.name);
    // Also the cost-allocation tag; the launcher's IAM conditions key on the same tag on instances.
    Tags.of(this).add(TagKey.stack, this.name);
    for (const [key, value] of Object.entries(props.tags ?? {})) Tags.of(this).add(key, value);
    if (props.permissionsBoundary !== undefined)
      PermissionsBoundary.of(this).apply(props.permissionsBoundary);

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
      waf: config.webhook.waf,
    });
    this.network = new RunnerNetwork(this, 'Network', {
      config: config.network,
      existing: props.vpc === undefined ? undefined : { vpc: props.vpc, subnets: props.subnets },
    });
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
      wafMetrics: this.webhook.waf?.metricNames,
      topic: props.alarmTopic,
      encryptionKey: props.encryptionKey,
    });
  }

  /** The URL to enter in GitLab (Settings > Webhooks, "Job events" only). */
  get webhookUrl(): string {
    return this.webhook.url;
  }
}
