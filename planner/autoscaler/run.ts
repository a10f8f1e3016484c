import type { Arrival } from '../arrivals';
import type { SimParameters } from '../model';
import { Prng } from '../prng';
import { launchToReadySeconds } from '../startup-profile';
import type { ModelRun } from '../stats';
import { Fleet, type FleetEvent, type Instance, type QueuedJob } from './fleet';
import type { AutoscalerPolicy } from './simulate';

/** One run of the autoscaler model over a queue of arrivals (see {@link simulateAutoscaler}). */
export class AutoscalerRun {
  private readonly fleet: Fleet;
  private readonly rng: Prng;
  private readonly waits = new Map<number, number>();
  private readonly startMs: number;
  private nowMs: number;
  private finished = 0;

  constructor(
    private readonly queue: readonly Arrival[],
    private readonly parameters: SimParameters,
    private readonly policy: AutoscalerPolicy,
  ) {
    this.fleet = new Fleet(policy.pricing === 'spot');
    this.rng = new Prng(parameters.seed);
    this.startMs = queue[0]?.atMs ?? 0;
    this.nowMs = this.startMs;
  }

  /** Runs every job to its end and hands over what the summary needs. */
  run(): ModelRun {
    const { fleet, queue } = this;
    // The pool is warm when the trace begins, as it is on a runner manager that has been up.
    for (let i = 0; i < this.policy.idleCount; i += 1) fleet.launch(this.startMs, 'idle');
    for (const [index, job] of queue.entries()) {
      const queued: QueuedJob = {
        index,
        arrivedAtMs: job.atMs,
        queuedAtMs: job.atMs,
        durationMs: job.durationMs,
      };
      fleet.schedule(job.atMs, { kind: 'arrival', job: queued });
    }
    for (let next = fleet.next(); next !== undefined && this.finished < queue.length; next = fleet.next()) {
      this.nowMs = next.atMs;
      this.handle(next.event);
      if (this.finished < queue.length) this.reconcile();
    }
    const leftovers = fleet.alive.size;
    for (const instance of [...fleet.alive.values()]) fleet.terminate(instance, this.nowMs);
    return {
      waitsSeconds: queue.map((_, index) => this.waits.get(index) ?? 0),
      instances: fleet.lives,
      pending: fleet.pending,
      extraUSD: (this.policy.managerUSDPerHour * (this.nowMs - this.startMs)) / 3_600_000,
      leftovers,
      startMs: this.startMs,
      endMs: this.nowMs,
    };
  }

  private handle(event: FleetEvent): void {
    const { fleet } = this;
    if (event.kind === 'arrival') fleet.queue.push(event.job);
    else if (event.kind === 'ready') this.becomeIdle(event.instance);
    else if (event.kind === 'interrupt') {
      // The spot instance is reclaimed mid-job; the job runs again from the start, as a retry.
      fleet.terminate(event.instance, this.nowMs);
      fleet.queue.push({ ...event.job, queuedAtMs: this.nowMs });
    } else if (event.kind === 'finish') {
      this.finished += 1;
      event.instance.uses += 1;
      const usedUp = this.policy.maxUseCount > 0 && event.instance.uses >= this.policy.maxUseCount;
      if (usedUp) fleet.terminate(event.instance, this.nowMs);
      else this.becomeIdle(event.instance);
    }
  }

  /** Hands idle instances to waiting jobs, removes expired surplus, launches any shortfall. */
  private reconcile(): void {
    const { fleet, policy } = this;
    for (const instance of fleet.idle()) {
      const job = fleet.queue.shift();
      if (job === undefined) break;
      this.start(instance, job);
    }
    const surplus = () =>
      fleet.count('idle') + fleet.count('booting') - policy.idleCount - fleet.queue.length;
    // Oldest idle first, and never below the idle capacity the policy asks for.
    for (const instance of fleet.idle().reverse()) {
      if (surplus() <= 0 || this.nowMs - instance.idleSinceMs < policy.idleTimeSeconds * 1000) break;
      fleet.terminate(instance, this.nowMs);
    }
    for (let shortfall = -surplus(); shortfall > 0; shortfall -= 1)
      fleet.schedule(this.nowMs + launchToReadySeconds(this.parameters.startup) * 1000, {
        kind: 'ready',
        instance: fleet.launch(this.nowMs, 'booting'),
      });
  }

  private start(instance: Instance, job: QueuedJob): void {
    const { fleet, nowMs } = this;
    instance.state = 'busy';
    fleet.pending.push({ fromMs: job.queuedAtMs, toMs: nowMs });
    if (!this.waits.has(job.index)) this.waits.set(job.index, (nowMs - job.arrivedAtMs) / 1000);
    if (this.policy.pricing === 'spot' && this.rng.chance(this.parameters.interruptRate))
      fleet.schedule(nowMs + this.rng.next() * job.durationMs, { kind: 'interrupt', instance, job });
    else fleet.schedule(nowMs + job.durationMs, { kind: 'finish', instance });
  }

  private becomeIdle(instance: Instance): void {
    instance.state = 'idle';
    instance.idleSinceMs = this.nowMs;
    // Wakes the model when this instance's idle_time runs out, so the surplus goes on time.
    this.fleet.schedule(this.nowMs + this.policy.idleTimeSeconds * 1000, { kind: 'idle-expiry' });
  }
}
