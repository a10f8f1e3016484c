import { FIRST_JOB_ID } from './scenario';
import { scheduleInterruption, vmExit } from './vms';
import { sendJobHook } from './webhooks';
import type { LogicalJob, Vm, World } from './world';

/**
 * GitLab creates job `jobId` (a new id when absent) for `logical`, pending: its Job Hook goes out,
 * an idle runner that may take it does, and with no runner for an hour it fails.
 */
export function createJob(world: World, logical: LogicalJob, retriesCount: number, jobId?: number): number {
  const id = world.jobId(jobId, FIRST_JOB_ID);
  if (!world.gitlab.jobs.has(id)) world.gitlab.addJob(id, logical.projectId, logical.tags);
  world.addAttempt({ jobId: id, logical, retriesCount, createdAt: world.scheduler.now });
  world.pending.add(id);
  sendJobHook(world, id, 'pending');
  world.scheduler.after(world.scenario.times.stuckMs, () => {
    if (world.status(id) !== 'pending') return;
    world.stats.stuckFailed += 1;
    failJob(world, id, 'stuck_or_timeout_failure');
  });
  offerJob(world, id);
  return id;
}

/** GitLab semantics: a runner takes a job of its project whose tags it all has (untagged: if allowed). */
function runnerTakes(world: World, vm: Vm, jobId: number): boolean {
  const runner = vm.runnerId === undefined ? undefined : world.gitlab.runners.get(vm.runnerId);
  const job = world.gitlab.jobs.get(jobId);
  if (runner === undefined || job === undefined || job.status !== 'pending') return false;
  if (runner.scope.type === 'project' && runner.projectId !== job.projectId) return false;
  if (job.tagList.length === 0) return runner.runUntagged;
  return job.tagList.every((tag) => runner.tags.includes(tag));
}

/** A job just became pending: the first idle runner that may take it does. */
function offerJob(world: World, jobId: number): void {
  for (const vm of world.liveVms.values()) {
    if (vm.state === 'idle' && runnerTakes(world, vm, jobId)) {
      startJob(world, vm, jobId);
      return;
    }
  }
}

/** A runner asks for work: it takes the oldest pending job it may run. @returns whether it got one. */
export function pickJob(world: World, vm: Vm): boolean {
  for (const jobId of world.pending) {
    if (runnerTakes(world, vm, jobId)) {
      startJob(world, vm, jobId);
      return true;
    }
  }
  return false;
}

function startJob(world: World, vm: Vm, jobId: number): void {
  const attempt = world.attempts.get(jobId);
  if (attempt === undefined || vm.runnerId === undefined) return;
  world.setStatus(jobId, 'running');
  world.gitlab.pickUp(jobId, vm.runnerId);
  vm.state = 'busy';
  vm.jobId = jobId;
  attempt.startedAt = world.scheduler.now;
  // The hook carries the runner as GitLab knows it: its description is the one scale-up gave it.
  attempt.runner = { id: vm.runnerId, description: world.gitlab.runners.get(vm.runnerId)?.description ?? '' };
  sendJobHook(world, jobId, 'running');
  const { logical } = attempt;
  if (logical.interruptPending && vm.lifecycle === 'spot')
    scheduleInterruption(world, vm, jobId, logical.workMs);
  world.scheduler.after(logical.workMs, () => finishJob(world, vm, jobId));
}

/** The job's script is done: success, if its VM still runs it; then the VM exits. */
function finishJob(world: World, vm: Vm, jobId: number): void {
  const attempt = world.attempts.get(jobId);
  if (attempt === undefined || vm.state !== 'busy' || vm.jobId !== jobId) return;
  if (world.status(jobId) !== 'running') return;
  attempt.finishedAt = world.scheduler.now;
  world.setStatus(jobId, 'success');
  sendJobHook(world, jobId, 'success');
  world.scheduler.after(world.scenario.times.exitMs, () => vmExit(world, vm));
}

/** GitLab fails a pending or running job. */
export function failJob(world: World, jobId: number, reason: string): void {
  const attempt = world.attempts.get(jobId);
  const status = world.status(jobId);
  if (attempt === undefined || (status !== 'pending' && status !== 'running')) return;
  attempt.finishedAt = world.scheduler.now;
  attempt.failureReason = reason;
  world.setStatus(jobId, 'failed');
  sendJobHook(world, jobId, 'failed');
}

/** Spotlab cancelled a job through the API: GitLab tells, and a VM still running it stops. */
export function jobCanceled(world: World, jobId: number, before: string | undefined): void {
  world.statusChanged(jobId, before);
  const attempt = world.attempts.get(jobId);
  if (attempt === undefined || before === 'canceled' || world.status(jobId) !== 'canceled') return;
  world.pending.delete(jobId);
  attempt.finishedAt = world.scheduler.now;
  sendJobHook(world, jobId, 'canceled');
  for (const vm of world.liveVms.values())
    if (vm.state === 'busy' && vm.jobId === jobId)
      world.scheduler.after(world.scenario.times.exitMs, () => vmExit(world, vm));
}

/** Spotlab retried a job through the API: GitLab created `newId`, pending, one retry further. */
export function jobRetried(world: World, jobId: number, newId: number): void {
  const attempt = world.attempts.get(jobId);
  if (attempt === undefined) return;
  world.stats.retries += 1;
  createJob(world, attempt.logical, attempt.retriesCount + 1, newId);
}
