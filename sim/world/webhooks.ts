import { classifyJobEvent } from '../../lambdas/webhook/classify-job-event';
import type { JobHook } from '../../lambdas/webhook/job-hook';
import type { Attempt, World } from './world';

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

/**
 * The Job Hook GitLab sends when job `jobId` reaches `status`, with the job as it is now: what the
 * webhook Lambda's parser reads out of the body GitLab would send (test/demo/webhooks.test.ts
 * proves the round trip through JSON and `jobHookSchema` gives it back unchanged).
 */
export function jobHook(world: World, jobId: number, status: string): JobHook {
  const attempt = world.attempts.get(jobId);
  if (attempt === undefined) throw new Error(`no job ${jobId}`);
  return hookOf(attempt, jobId, status, world.scheduler.now);
}

/** {@link jobHook} of `attempt` (GitLab job `jobId`) at `nowMs`. */
export function hookOf(attempt: Attempt, jobId: number, status: string, nowMs: number): JobHook {
  const { startedAt, finishedAt } = attempt;
  return {
    object_kind: 'build',
    build_id: jobId,
    build_name: `job-${attempt.logical.index}`,
    build_stage: 'test',
    build_status: status,
    build_created_at: iso(attempt.createdAt),
    build_started_at: iso(startedAt),
    build_finished_at: iso(finishedAt),
    build_duration:
      startedAt !== undefined && finishedAt !== undefined ? (finishedAt - startedAt) / 1000 : null,
    build_queued_duration: ((startedAt ?? nowMs) - attempt.createdAt) / 1000,
    build_failure_reason: attempt.failureReason ?? null,
    retries_count: attempt.retriesCount,
    pipeline_id: 500_000 + attempt.logical.index,
    project_id: attempt.logical.projectId,
    runner: status === 'pending' || attempt.runner === undefined ? null : attempt.runner,
  };
}

/**
 * GitLab sends the Job Hook of `jobId` reaching `status`, with the scenario's faults: dropped,
 * delivered twice, or delivered late (after later hooks of the job). A delivered hook goes
 * through the webhook Lambda's real routing onto the demand or lifecycle queue.
 */
export function sendJobHook(world: World, jobId: number, status: string): void {
  const hook = jobHook(world, jobId, status);
  const { hooks } = world.rng;
  const { dropRate, duplicateRate, reorderRate } = world.options;
  world.stats.hooks += 1;
  const roll = hooks.next();
  if (roll < dropRate) {
    world.stats.hooksDropped += 1;
    return;
  }
  const { times } = world.scenario;
  const latency = () => hooks.int(times.hookMinMs, times.hookMaxMs);
  if (roll < dropRate + reorderRate) {
    world.stats.hooksLate += 1;
    world.scheduler.after(hooks.int(times.lateMinMs, times.lateMaxMs), () => deliver(world, hook));
    return;
  }
  world.scheduler.after(latency(), () => deliver(world, hook));
  if (roll < dropRate + reorderRate + duplicateRate) {
    world.stats.hooksDuplicated += 1;
    world.scheduler.after(latency() + hooks.int(0, 20_000), () => deliver(world, hook));
  }
}

// The hook skips the webhook Lambda's JSON and zod reading: a replay of weeks delivers hundreds of
// thousands, the hook is built here and typed as what the parser yields, and the round trip is
// proven identical by test. The consumers downstream still parse every queue message.
function deliver(world: World, hook: JobHook): void {
  const routed = classifyJobEvent(hook, {
    idempotencyKey: undefined,
    receivedAt: new Date(world.scheduler.now).toISOString(),
  });
  if (routed.action !== 'enqueue') return;
  const queue = routed.message.kind === 'demand' ? world.demandQueue : world.lifecycleQueue;
  queue.send(JSON.stringify(routed.message));
}

/**
 * EventBridge puts an EC2 event for `instanceId` on the lifecycle queue, with the scenario's
 * faults: its delivery to SQS is at least once (a copy, with the same event id, 1–60 s later) and
 * retried for 24 h (delivered 30–120 s late, after later events), never dropped. The event keeps
 * the time it happened, whenever it is delivered.
 */
export function sendEc2Event(
  world: World,
  instanceId: string,
  detailType: 'EC2 Spot Instance Interruption Warning' | 'EC2 Instance State-change Notification',
  state?: string,
): void {
  const body = ec2Event(world, instanceId, detailType, state);
  const send = () => world.lifecycleQueue.send(body);
  const { events } = world.rng;
  const { ec2EventDelayRate = 0, ec2EventDuplicateRate = 0 } = world.options;
  const { times } = world.scenario;
  // Drawn only when on, so that a scenario without these faults runs as it always has.
  const late = ec2EventDelayRate > 0 && events.chance(ec2EventDelayRate);
  const twice = ec2EventDuplicateRate > 0 && events.chance(ec2EventDuplicateRate);
  const firstMs = late ? events.int(times.eventLateMinMs, times.eventLateMaxMs) : 0;
  if (late) {
    world.stats.ec2EventsLate += 1;
    world.scheduler.after(firstMs, send);
  } else send();
  if (twice) {
    world.stats.ec2EventsDuplicated += 1;
    world.scheduler.after(firstMs + events.int(times.eventCopyMinMs, times.eventCopyMaxMs), send);
  }
}

function ec2Event(
  world: World,
  instanceId: string,
  detailType: 'EC2 Spot Instance Interruption Warning' | 'EC2 Instance State-change Notification',
  state: string | undefined,
): string {
  const detail =
    state === undefined
      ? { 'instance-id': instanceId, 'instance-action': 'terminate' }
      : { 'instance-id': instanceId, state };
  return JSON.stringify({
    version: '0',
    id: `evt-${instanceId}-${state ?? 'warning'}`,
    'detail-type': detailType,
    source: 'aws.ec2',
    account: '123456789012',
    time: new Date(world.scheduler.now).toISOString(),
    region: 'eu-west-1',
    resources: [`arn:aws:ec2:eu-west-1:123456789012:instance/${instanceId}`],
    detail,
  });
}
