import * as z from 'zod/mini';
import { text } from './environment';

/**
 * Metric names and dimensions, shared by the Lambdas that emit them (EMF) and the alarms and
 * dashboard in `lib/` that read them. Change a name here and both sides follow.
 */

/** The namespace of the Spotlab named `Spotlab` (the shipped app's default name). */
export const METRICS_NAMESPACE = 'Spotlab';

/**
 * The CloudWatch namespace of the Spotlab named `spotlabName`: `Spotlab` for `Spotlab` (what the
 * shipped app always wrote, so its dashboards keep their history), `Spotlab/<name>` for any other.
 * The dimensions are the same in every Spotlab, so two in one account and Region must differ here
 * or each one's alarms count the other's series; the name is unique per account and Region.
 */
export function metricsNamespaceOf(spotlabName: string): string {
  return spotlabName === METRICS_NAMESPACE ? METRICS_NAMESPACE : `${METRICS_NAMESPACE}/${spotlabName}`;
}

/** The namespace the runner VMs of the Spotlab whose Lambdas write `metricsNamespace` report start-up in. */
export function startupNamespaceOf(metricsNamespace: string): string {
  return `${metricsNamespace}/Startup`;
}

/** CloudWatch's namespace characters and length; `AWS/` is AWS's own. */
export const METRICS_NAMESPACE_SHAPE = /^(?!AWS\/)[A-Za-z0-9._#:/-]{1,255}$/;

/** What every Lambda environment carries in {@link METRICS_NAMESPACE_VARIABLE}. */
export const metricsNamespaceSchema = z
  .string()
  .check(z.regex(METRICS_NAMESPACE_SHAPE, 'must be a CloudWatch namespace such as Spotlab/Ci'));

/**
 * The variable every Lambda reads its Spotlab's namespace from. Powertools' own name: Metrics
 * would read it too, but `createObservability` is given the decoded value explicitly.
 */
export const METRICS_NAMESPACE_VARIABLE = text('POWERTOOLS_METRICS_NAMESPACE');

/** Metric names. */
export const Metric = {
  /** An authenticated Job Hook enqueued as demand or lifecycle. Dimension: `kind`. */
  webhookAccepted: 'WebhookAccepted',
  /** An authenticated event acknowledged and dropped. Dimension: `reason`. */
  webhookIgnored: 'WebhookIgnored',
  /**
   * A request refused with 4xx. Dimension: `reason`; also emitted without it, as the total the
   * refusal alarm watches (an alarm cannot sum over dimension values it does not know).
   */
  webhookRefused: 'WebhookRefused',
  /** A request that failed on Spotlab's side (5xx). Dimension: `reason`. */
  webhookFailed: 'WebhookFailed',
  /** A demand message that can never be read; acknowledged. */
  demandInvalid: 'DemandInvalid',
  /** A pending job skipped (already claimed, no longer pending, gone). Dimension: `reason`. */
  demandSkipped: 'DemandSkipped',
  /**
   * A pending job refused before any launch: its project is not allowed, lies outside the runners'
   * group, or GitLab refuses to register a runner for it. Dimension: `reason`.
   */
  demandRefused: 'DemandRefused',
  /** A job no pool serves. Dimension: `reason`. */
  jobsUnroutable: 'JobsUnroutable',
  /** Jobs held back by a pool, global or spend cap; retried later. Dimension: `pool`. */
  demandWaiting: 'DemandWaiting',
  /**
   * Jobs re-sent to the demand queue with a delay to wait (a cap, the instance-launch rate, a
   * throttled EC2 call): their receives towards the DLQ are not spent. Dimension: `reason`.
   */
  demandDeferred: 'DemandDeferred',
  /** Jobs whose wait for capacity carries them past GitLab's one-hour limit for a pending job. */
  demandAtRisk: 'DemandAtRisk',
  /** Demand older than scale-up acts on (2 h), acknowledged without a launch. */
  demandExpired: 'DemandExpired',
  /** Instances launched. Dimensions: `pool`, `lifecycle`. */
  instancesLaunched: 'InstancesLaunched',
  /**
   * Ready (warm) instances scale-up took for jobs instead of launching; they also count in
   * `InstancesLaunched`, which reports what a launch request was answered with. Dimension: `pool`.
   */
  warmClaimed: 'WarmClaimed',
  /** Ready instances the reaper launched to keep a pool's warm count. Dimension: `pool`. */
  warmLaunched: 'WarmLaunched',
  /** Instances asked for and not launched. Dimensions: `pool`, `code` (EC2 error code). */
  launchShortfall: 'LaunchShortfall',
  /** GitLab refused the API token (401/403): a configuration error. */
  gitlabAuthFailures: 'GitlabAuthFailures',
  /** A scale-up step failed. Dimension: `stage`. */
  scaleUpFailures: 'ScaleUpFailures',
  /** Milliseconds from the webhook receiving `pending` to the launch request. Dimension: `pool`. */
  webhookToLaunch: 'WebhookToLaunch',
  /** A lifecycle message that can never be read; acknowledged. */
  lifecycleInvalid: 'LifecycleInvalid',
  /** A lifecycle event that needed nothing (not ours, duplicate, untracked state). Dimension: `reason`. */
  lifecycleIgnored: 'LifecycleIgnored',
  /** A lifecycle step failed. Dimension: `stage`. */
  lifecycleFailures: 'LifecycleFailures',
  /** Milliseconds a job queued in GitLab before a Spotlab runner took it. Dimension: `pool`. */
  jobWait: 'JobWait',
  /** Instances terminated by the lifecycle consumer. Dimension: `reason` (`job_finished`). */
  instancesTerminated: 'InstancesTerminated',
  /** GitLab runners deleted (already-gone ones included). Dimension: `reason`. */
  runnersDeleted: 'RunnersDeleted',
  /** Spot interruption warnings for instances of this stack. Dimension: `kind` (`job_running`, `idle`). */
  spotInterruptions: 'SpotInterruptions',
  /** Jobs a pool launched on-demand because its spot interruptions repeated (`spotCoolDown`). */
  coolDownLaunches: 'CoolDownLaunches',
  /** Jobs retried through GitLab after their spot instance was reclaimed. */
  jobsRetried: 'JobsRetried',
  /**
   * Jobs whose launched instance another job's `running` took (a job with no capacity of its own:
   * its `pending` webhook was dropped, or its launch undone), enqueued again at once.
   */
  demandDisplaced: 'DemandDisplaced',
  /**
   * Job Hooks naming a runner as Spotlab's (`spotlab job …`) that no Spotlab launch recorded (job
   * table: job id → runner id → instance id): acknowledged, nothing terminated or deleted. Dimension: `kind` (the job status).
   */
  unrecordedRunnerIgnored: 'UnrecordedRunnerIgnored',
  /** Interrupted jobs GitLab refused to retry (retried already, or not ended): may need a hand. */
  jobRetriesRefused: 'JobRetriesRefused',
  /**
   * Something the reaper removed. Dimension: `kind` (`instance_no_token`, `instance_idle`,
   * `instance_lifetime`, `runner`, `runner_unrecorded`, `token`).
   */
  orphansReaped: 'OrphansReaped',
  /** Pending jobs whose demand the reaper enqueued again (their webhook was lost). */
  lostDemandRequeued: 'LostDemandRequeued',
  /** Launched jobs whose instance vanished before they ran; their demand may launch again. */
  jobsLost: 'JobsLost',
  /** A reaper step failed; the sweep went on. Dimension: `stage`. */
  reaperFailures: 'ReaperFailures',
  /** Pending and running instances of the stack, as the reaper's sweep saw them. Dimension: `pool`. */
  runningInstances: 'RunningInstances',
  /** Those instances priced at on-demand rates, in USD per hour. */
  estimatedSpendPerHour: 'EstimatedSpendPerHour',
} as const;

/** Dimension names. */
export const Dimension = {
  kind: 'kind',
  reason: 'reason',
  pool: 'pool',
  lifecycle: 'lifecycle',
  code: 'code',
  stage: 'stage',
} as const;

/**
 * The `service` dimension Powertools Metrics adds to every metric (its `serviceName`): each handler
 * passes its own to `createObservability`. Alarms and widgets must name it, or they match nothing.
 */
export const Service = {
  webhook: 'webhook',
  scaleUp: 'scale-up',
  lifecycle: 'lifecycle',
  reaper: 'reaper',
} as const;

/**
 * Start-up stages the runner VMs report themselves (runner-bootstrap.sh, `aws cloudwatch
 * put-metric-data`, no EMF) in their Spotlab's {@link startupNamespaceOf}, the only namespace
 * their role may write; this is the shipped Spotlab's. Seconds since the kernel booted, so EC2's
 * pending → running is not in them; GitLab's own wait is `JobWait`.
 */
export const STARTUP_NAMESPACE = startupNamespaceOf(METRICS_NAMESPACE);

/** The one start-up metric: seconds a stage took. Dimensions: `pool` and `stage`; the `total` also `stage` alone. */
export const STARTUP_METRIC = 'StartupSeconds';

/** The stages, in order; `total` is kernel boot to the runner asking GitLab for its job. */
export const StartupStage = {
  /** Kernel boot to the bootstrap starting (OS boot, cloud-init). */
  boot: 'boot',
  /** Bootstrap start to the runner token read (IMDS, waiting for the launcher's parameter). */
  token: 'token',
  /** Token read to docker and gitlab-runner ready (installs on a stock image). */
  tools: 'tools',
  /** Kernel boot to gitlab-runner asking for its job. */
  total: 'total',
} as const;
