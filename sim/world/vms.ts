import type { LaunchedInstance } from '../../lambdas/scale-up/ports';
import { type SimStartupTimes, STARTUP_PROFILES, stageSeconds } from '../../planner/startup-profile';
import { failJob, pickJob } from './jobs';
import { sendEc2Event } from './webhooks';
import type { Vm, World } from './world';

/**
 * From a ready instance's claim to its runner asking GitLab for the job: the bootstrap's next token
 * poll and the token read, then `run-single` starting with tools already in place: the `token` and
 * `runner` stages of the planner's `warm` start-up profile (docs/startup.md).
 */
export const WARM_CLAIM_TO_RUNNER_MS = stageSeconds(STARTUP_PROFILES.warm, 'token', 'runner') * 1000;

/**
 * An instance CreateFleet started for `poolName`: it boots, then asks for its token. A ready
 * instance (`warm`) boots, readies its tools and waits, unbounded, until it is claimed.
 */
export function vmLaunched(world: World, instance: LaunchedInstance, poolName: string, warm = false): void {
  if (world.vms.has(instance.instanceId)) return;
  const pool = world.pool(poolName);
  const vm: Vm = {
    instanceId: instance.instanceId,
    pool,
    lifecycle: instance.lifecycle,
    state: 'booting',
    idleEpoch: 0,
  };
  world.vms.set(vm.instanceId, vm);
  world.liveVms.set(vm.instanceId, vm);
  if (warm) {
    vm.warm = 'ready';
    // Its bootstrap readies the tools before it waits for a token (lib/bootstrap/runner-bootstrap.sh).
    const { bootMs, readyMs } = startupOf(world, vm);
    vm.readyAt = world.scheduler.now + bootMs + readyMs;
    return;
  }
  world.scheduler.after(startupOf(world, vm).bootMs, () => readToken(world, vm, 1));
}

/** The VM's pool's start-up, else the scenario's. */
function startupOf(world: World, vm: Vm): SimStartupTimes {
  return vm.pool.startup ?? world.scenario.times;
}

/** Scale-up claimed a ready instance for a job: its bootstrap finds the token at its next poll. */
export function vmClaimed(world: World, instanceId: string): void {
  const vm = world.vms.get(instanceId);
  if (vm?.warm !== 'ready' || vm.state === 'off') return;
  vm.warm = 'claimed';
  const at = Math.max(world.scheduler.now + WARM_CLAIM_TO_RUNNER_MS, vm.readyAt ?? 0);
  world.scheduler.after(at - world.scheduler.now, () => readToken(world, vm, 1));
}

/** The bootstrap reads its token parameter once and deletes it, then registers `run-single`. */
function readToken(world: World, vm: Vm, reads: number): void {
  if (vm.state === 'off') return;
  const token = world.tokens.tokens.get(vm.instanceId);
  if (token === undefined) {
    const { times } = world.scenario;
    if (reads >= times.tokenReads) powerOff(world, vm);
    else world.scheduler.after(times.tokenRetryMs, () => readToken(world, vm, reads + 1));
    return;
  }
  world.tokens.tokens.delete(vm.instanceId);
  world.tokens.writtenAt.delete(vm.instanceId);
  const runner = world.gitlab.runnerWithToken(token);
  // A token whose runner is gone is refused by GitLab: run-single exits and the VM powers off.
  if (runner === undefined) {
    powerOff(world, vm);
    return;
  }
  vm.runnerId = runner.id;
  // Tools, run-single starting, GitLab handing over the job: none of it can fail here. A claimed
  // ready instance has its tools already; the claim's WARM_CLAIM_TO_RUNNER_MS covers the rest.
  const readyMs = vm.warm === 'claimed' ? 0 : startupOf(world, vm).readyMs;
  if (readyMs === 0) goIdle(world, vm);
  else
    world.scheduler.after(readyMs, () => {
      if (vm.state !== 'off') goIdle(world, vm);
    });
}

/** The runner waits for a job; with none within the pool's idle timeout, it exits. */
function goIdle(world: World, vm: Vm): void {
  if (pickJob(world, vm)) return;
  vm.state = 'idle';
  vm.idleEpoch += 1;
  const epoch = vm.idleEpoch;
  world.scheduler.after(vm.pool.idleTimeoutSeconds * 1000, () => {
    if (vm.state === 'idle' && vm.idleEpoch === epoch) vmExit(world, vm);
  });
}

/**
 * `run-single` ended: the VM deletes its runner (`DELETE /api/v4/runners` with its own token) and
 * powers off. At the scenario's `runnerSelfDeleteFailRate` that call fails (GitLab 5xx or no
 * route, after curl's retries): the bootstrap logs it and powers off all the same, and the runner
 * stays registered for Spotlab to delete.
 */
export function vmExit(world: World, vm: Vm): void {
  if (vm.state === 'off') return;
  const runnerId = vm.runnerId;
  // Often the lifecycle deleted it already, on the job's `success`: then the call has nothing to lose.
  if (runnerId !== undefined && world.gitlab.runners.has(runnerId) && !selfDeleteFails(world))
    world.gitlab.runners.delete(runnerId);
  powerOff(world, vm);
}

function selfDeleteFails(world: World): boolean {
  const rate = world.options.runnerSelfDeleteFailRate ?? 0;
  if (!world.rng.vms.chance(rate)) return false;
  world.stats.runnerSelfDeletesFailed += 1;
  return true;
}

/** The VM (or EC2) stops the instance; shutdown behaviour terminates it. */
function powerOff(world: World, vm: Vm, by: 'self' | 'spot' = 'self'): void {
  const reason = by === 'spot' ? 'Server.SpotInstanceTermination' : 'Client.InstanceInitiatedShutdown';
  if (!world.ec2.end(vm.instanceId, reason)) return;
  vm.endedBy = by;
  instanceGone(world, vm.instanceId);
}

/**
 * An instance ended, whoever ended it: EventBridge sends its state changes, and a job it was
 * running fails in GitLab once the runner stops answering (runner_system_failure).
 */
export function instanceGone(world: World, instanceId: string): void {
  const vm = world.vms.get(instanceId);
  if (vm !== undefined) {
    const jobId = vm.state === 'busy' ? vm.jobId : undefined;
    vm.state = 'off';
    world.liveVms.delete(instanceId);
    vm.endedBy ??= 'terminate';
    vm.endedAt ??= world.scheduler.now;
    if (jobId !== undefined && world.status(jobId) === 'running')
      world.scheduler.after(world.scenario.times.lostRunnerMs, () => {
        if (world.status(jobId) !== 'running') return;
        world.stats.killedMidJob += 1;
        failJob(world, jobId, 'runner_system_failure');
      });
  }
  const change = 'EC2 Instance State-change Notification';
  const { times } = world.scenario;
  world.scheduler.after(times.shuttingDownMs, () => sendEc2Event(world, instanceId, change, 'shutting-down'));
  world.scheduler.after(times.terminatedMs, () => sendEc2Event(world, instanceId, change, 'terminated'));
}

/** EC2 reclaims the job's spot instance partway through: a warning, then termination 2 min later. */
export function scheduleInterruption(world: World, vm: Vm, jobId: number, workMs: number): void {
  const attempt = world.attempts.get(jobId);
  if (attempt === undefined) return;
  attempt.logical.interruptPending = false;
  const at = Math.round(workMs * (0.1 + 0.5 * world.rng.ec2.next()));
  world.scheduler.after(at, () => {
    if (vm.state !== 'busy' || vm.jobId !== jobId) return;
    world.stats.interruptions += 1;
    attempt.interrupted = true;
    sendEc2Event(world, vm.instanceId, 'EC2 Spot Instance Interruption Warning');
    world.scheduler.after(world.scenario.times.spotNoticeMs, () => powerOff(world, vm, 'spot'));
  });
}
