import { readFileSync } from 'node:fs';
import * as z from 'zod/mini';
import { handleLifecycle, type LifecycleDeps } from '../../lambdas/lifecycle/lifecycle';
import type { LifecycleObserver } from '../../lambdas/lifecycle/observer';
import { readLifecycleRecords } from '../../lambdas/lifecycle/read-records';
import { runnerDescription } from '../../lambdas/shared/gitlab/port';
import type { DemandMessage } from '../../lambdas/shared/job-messages';
import type { Placement } from '../../lambdas/shared/job-table/views';
import { TagKey } from '../../lambdas/shared/naming';
import { classifyJobEvent } from '../../lambdas/webhook/classify-job-event';
import { parseWebhookBody } from '../../lambdas/webhook/job-hook';
import { SimClock } from '../../sim/clock';
import { InMemoryEc2 } from '../../sim/in-memory-ec2';
import { InMemoryGitlab } from '../../sim/in-memory-gitlab';
import { inMemoryInterruptionLog } from '../../sim/in-memory-interruption-log';
import { InMemoryJobTable } from '../../sim/in-memory-job-table';
import { inMemoryLifecycleFleet } from '../../sim/in-memory-lifecycle-fleet';
import { InMemoryTokenStore } from '../../sim/in-memory-stores';
import { sqsRecord } from '../../sim/sqs-event-source';
import { fixtureJson } from '../support/fixtures';

export const STACK = 'Spotlab';
export const PROJECT = 380;

/** EventBridge events as they arrive on the lifecycle queue (see test/fixtures/aws/README.md). */
export type AwsFixture =
  | 'eventbridge-spot-interruption-warning'
  | 'eventbridge-instance-state-change-shutting-down'
  | 'eventbridge-instance-state-change-terminated'
  | 'eventbridge-instance-state-change-running';

/** The fixture's raw text, exactly as the queue delivers it. */
export function awsFixtureText(name: AwsFixture): string {
  return readFileSync(new URL(`../fixtures/aws/${name}.json`, import.meta.url), 'utf8');
}

const eventSchema = z.looseObject({ detail: z.record(z.string(), z.unknown()) });

/** The fixture about another instance (and, for a state change, another state). */
export function awsEvent(name: AwsFixture, instanceId: string, state?: string): string {
  const event = eventSchema.parse(JSON.parse(awsFixtureText(name)));
  event.detail['instance-id'] = instanceId;
  if (state !== undefined) event.detail.state = state;
  return JSON.stringify(event);
}

/** Spot interruption warning for `instanceId`. */
export const spotWarning = (instanceId: string): string =>
  awsEvent('eventbridge-spot-interruption-warning', instanceId);

/** State change of `instanceId` to `state`. */
export const stateChange = (instanceId: string, state = 'shutting-down'): string =>
  awsEvent('eventbridge-instance-state-change-shutting-down', instanceId, state);

/** Job Hooks the webhook turns into lifecycle messages. */
export type JobFixture = 'job-hook-running' | 'job-hook-success' | 'job-hook-failed-runner-system';

/**
 * A runner as a hook names it: its id, and the job its description names (`spotlab job <id>`),
 * by default the job of the hook.
 */
export interface HookRunner {
  readonly runnerId: number;
  readonly launchJobId?: number;
}

/**
 * The lifecycle message the webhook Lambda enqueues for a GitLab fixture about job `jobId`, taken
 * by the runner `placement` describes (`null`: no runner), or by `runner` as given.
 */
export function jobEvent(
  fixture: JobFixture | 'job-hook-canceled-while-pending',
  jobId: number,
  placement: HookRunner | null,
  changes: Record<string, unknown> = {},
): string {
  const runner =
    placement === null
      ? null
      : { id: placement.runnerId, description: runnerDescription(placement.launchJobId ?? jobId) };
  const body = JSON.stringify({ ...fixtureJson(fixture), build_id: jobId, runner, ...changes });
  const parsed = parseWebhookBody(Buffer.from(body));
  if (parsed.kind !== 'job') throw new Error(`${fixture} is not a Job Hook`);
  const routed = classifyJobEvent(parsed.hook, {
    idempotencyKey: undefined,
    receivedAt: '2026-11-23T09:00:00.000Z',
  });
  if (routed.action !== 'enqueue') throw new Error(`${fixture} is not enqueued`);
  return JSON.stringify(routed.message);
}

/** Records what the lifecycle consumer reports, one line each. */
function recordingObserver(): LifecycleObserver & { readonly events: string[] } {
  const events: string[] = [];
  return {
    events,
    invalidMessage: (id, problem) => events.push(`invalid ${id} ${problem}`),
    ignored: (reason, subject) => events.push(`ignored ${reason} ${subject}`),
    jobRunning: (jobId, instanceId, pool, waitMs) =>
      events.push(`running ${jobId} ${instanceId} ${pool} ${waitMs ?? '-'}`),
    instanceTerminated: (instanceId, reason) => events.push(`terminated ${instanceId} ${reason}`),
    runnerDeleted: (runnerId, reason) => events.push(`runner-deleted ${runnerId} ${reason}`),
    spotInterruption: (instanceId, jobId) => events.push(`spot ${instanceId} ${jobId ?? 'idle'}`),
    jobRetried: (jobId, retriedJobId) => events.push(`retried ${jobId} as ${retriedJobId}`),
    retryRefused: (jobId) => events.push(`retry-refused ${jobId}`),
    unrecordedRunnerIgnored: (jobId, claim, status) =>
      events.push(`unrecorded-runner ${jobId} ${claim.runnerId} ${claim.launchJobId} ${status}`),
    demandDisplaced: (jobId, instanceId) => events.push(`displaced ${jobId} ${instanceId}`),
    gitlabAuthFailure: (status) => events.push(`auth ${status}`),
    failed: (stage, subject) => events.push(`failed ${stage} ${subject}`),
  };
}

/** The lifecycle consumer over the simulated EC2, GitLab, SSM and job table scale-up also uses. */
export function lifecycleWorld() {
  const clock = new SimClock();
  const ec2 = new InMemoryEc2({ now: clock.now });
  const gitlab = new InMemoryGitlab();
  const { ledger, journal } = new InMemoryJobTable(clock.now);
  const tokens = new InMemoryTokenStore();
  const observer = recordingObserver();
  /** Demand the consumer enqueued again. */
  const demanded: DemandMessage[] = [];
  const interruptions = inMemoryInterruptionLog(clock.now);
  const deps: LifecycleDeps = {
    gitlab,
    instances: inMemoryLifecycleFleet(ec2, STACK),
    tokens,
    journal,
    demand: { send: async (message) => void demanded.push(message) },
    interruptions,
    observer,
  };
  let messages = 0;

  /**
   * An instance launched for job `jobId` (pending in GitLab) with its runner and token, as
   * scale-up leaves them, in `pool`; `stack` tags it as another stack's.
   */
  async function launched(
    jobId: number,
    stack = STACK,
    pool = 'arm-docker',
  ): Promise<Placement & { readonly launchJobId: number }> {
    gitlab.addJob(jobId, PROJECT, ['arm64']);
    const { instances } = await ec2.launch({
      pool,
      launchTemplateId: 'lt-0arm',
      overrides: [{ subnetId: 'subnet-0a', instanceType: 'm7g.large' }],
      count: 1,
      lifecycle: 'spot',
      clientToken: `launch-${jobId}-${stack}`,
      tags: { [TagKey.stack]: stack, [TagKey.pool]: pool },
    });
    const instanceId = instances[0]?.instanceId ?? 'none';
    const runner = await gitlab.createRunner({
      scope: { type: 'project' },
      projectId: PROJECT,
      tags: ['arm64'],
      runUntagged: false,
      maximumTimeoutSeconds: 3600,
      description: runnerDescription(jobId),
    });
    await tokens.put(instanceId, runner.token);
    await ledger.claim(jobId, PROJECT);
    await ledger.recordLaunch(jobId, {
      instanceId,
      runnerId: runner.id,
      pool,
      lifecycle: 'spot',
    });
    return { instanceId, runnerId: runner.id, launchJobId: jobId };
  }

  /** Delivers one batch of message bodies; returns the bodies SQS will deliver again. */
  async function deliver(...bodies: string[]): Promise<string[]> {
    const records = bodies.map((body) => {
      messages += 1;
      return sqsRecord(`m${messages}`, body);
    });
    const retry = new Set(await handleLifecycle(readLifecycleRecords(records, observer), deps));
    return records.filter((record) => retry.has(record.messageId)).map((record) => record.body);
  }

  /** Something terminates the instance (its own shutdown by default). */
  function reclaim(instanceId: string, reason = 'Client.InstanceInitiatedShutdown'): void {
    ec2.end(instanceId, reason);
  }

  /** EC2 reclaims the spot instance: its state reason says so. */
  const spotReclaim = (instanceId: string): void => reclaim(instanceId, 'Server.SpotInstanceTermination');

  /** A job's status in GitLab. */
  function setStatus(jobId: number, status: string): void {
    const job = gitlab.jobs.get(jobId);
    if (job !== undefined) job.status = status;
  }

  return {
    clock,
    ec2,
    gitlab,
    ledger,
    journal,
    tokens,
    observer,
    demanded,
    interruptions,
    deps,
    launched,
    deliver,
    reclaim,
    spotReclaim,
    setStatus,
  };
}
