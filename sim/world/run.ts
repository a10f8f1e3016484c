import type { SQSRecord } from 'aws-lambda';
import { faultScenario } from './fault-scenario';
import { createJob } from './jobs';
import type { FaultOptions, Scenario } from './scenario';
import { type Spotlab, spotlab } from './spotlab';
import type { SimQueue } from './sqs-queue';
import { instanceGone } from './vms';
import { World, type WorldStats } from './world';

/** What a fault run ended with. The targets: every job completed once, nothing lost or left. */
export interface FaultFigures {
  readonly jobs: number;
  /** Logical jobs with exactly one successful GitLab job in their retry chain. */
  readonly completedOnce: number;
  /** Logical jobs with none. */
  readonly lost: number;
  /** Logical jobs with more than one. */
  readonly ranTwice: number;
  readonly instancesLeft: number;
  readonly runnersLeft: number;
  readonly tokensLeft: number;
  readonly spotInstances: number;
  readonly onDemandInstances: number;
  readonly gitlabJobs: number;
  readonly deadLettered: number;
  readonly invocations: { readonly scaleUp: number; readonly lifecycle: number };
  /** Invocations that started while another of the same queue was in flight. */
  readonly overlappingInvocations: { readonly scaleUp: number; readonly lifecycle: number };
  readonly simulatedMs: number;
  /** Every GitLab API call Spotlab's Lambdas made (with its API token), failed ones included. */
  readonly gitlabCalls: number;
  /** Runners GitLab created for Spotlab. */
  readonly runnersCreated: number;
  /** `DELETE /runners/:id` calls Spotlab made (the VMs' own `DELETE /runners` at exit not counted). */
  readonly runnerDeletes: number;
  readonly stats: WorldStats;
  /** Why each lost job was lost: `<status>:<failure reason>` of its last GitLab job, counted. */
  readonly lostBy: Readonly<Record<string, number>>;
}

/**
 * Runs `jobs` logical GitLab jobs through Spotlab's real scale-up, lifecycle and reaper code over the
 * in-memory adapters, with the scenario's faults, on a simulated clock: deterministic for a seed.
 */
export async function runFaults(options: FaultOptions): Promise<FaultFigures> {
  return (await simulate(options)).figures;
}

/** {@link runFaults}, with the world it ended in, for a closer look. */
export async function simulate(options: FaultOptions): Promise<{ world: World; figures: FaultFigures }> {
  const world = await runScenario(faultScenario(options));
  return { world, figures: figures(world, world.scheduler.now - world.startedAt) };
}

/**
 * Runs a scenario's jobs through Spotlab's real code until every job has ended and the queues are
 * empty, then keeps the reaper sweeping for `times.afterMs` (or stops at `times.limitMs`).
 * `instrument` sees the world before the first event, to watch it (see `scheduler.onAdvance`).
 */
export async function runScenario(scenario: Scenario, instrument?: (world: World) => void): Promise<World> {
  const world = new World(scenario);
  world.onInstanceGone = (instanceId) => instanceGone(world, instanceId);
  const lambdas = spotlab(world);
  const { times } = scenario;
  const start = world.startedAt;
  instrument?.(world);
  const { jobs } = scenario;
  world.scheduler.afterEach(
    jobs.map((job) => job.atMs),
    (index) => {
      const job = jobs[index];
      if (job === undefined) return;
      // Object.assign, not a spread followed by keys: V8's slow path, once per job of a long trace.
      const logical = Object.assign({}, job, { index, interruptPending: job.interrupt, attempts: [] });
      world.logical.push(logical);
      createJob(world, logical, 0);
    },
  );

  let settledAt: number | undefined;
  const settled = () =>
    world.logical.length === scenario.jobs.length &&
    world.allEnded &&
    world.demandQueue.depth === 0 &&
    world.lifecycleQueue.depth === 0;
  const finished = () => {
    if (!settled()) settledAt = undefined;
    else settledAt ??= world.scheduler.now;
    return settledAt !== undefined && world.scheduler.now - settledAt >= times.afterMs;
  };
  const running = () => !finished();
  // A poll that would find nothing is skipped (it would change nothing) where ticks need not
  // keep their shape: see `Scheduler.every`.
  const { yields } = world.scheduler;
  const poll = (queue: SimQueue, handler: (records: SQSRecord[]) => Promise<string[]>) =>
    world.scheduler.every(
      times.pollMs,
      () => (yields || queue.anyVisible ? queue.poll(handler).then(() => undefined) : undefined),
      running,
    );
  poll(world.demandQueue, lambdas.scaleUp);
  poll(world.lifecycleQueue, lambdas.lifecycle);
  if (world.scheduler.yields) scheduleSweeps(world, lambdas, running);
  else world.scheduler.every(times.sweepMs, () => lambdas.sweep(), running);
  await world.scheduler.run(finished, start + times.limitMs);
  return world;
}

/**
 * EventBridge Scheduler invokes the reaper every `sweepMs` whether or not the last sweep ended; at
 * the model's `sweepOverlapRate` it delivers one late, up to a second before the next, so that the
 * two run at once.
 */
function scheduleSweeps(world: World, lambdas: Spotlab, running: () => boolean): void {
  const { sweepMs } = world.scenario.times;
  const { sweepOverlapRate } = world.lambda;
  let inFlight = 0;
  const start = () => {
    if (inFlight > 0) world.stats.sweepsOverlapped += 1;
    inFlight += 1;
    world.scheduler.spawn(
      lambdas.sweep().finally(() => {
        inFlight -= 1;
      }),
    );
  };
  world.scheduler.every(
    sweepMs,
    () => {
      if (sweepOverlapRate > 0 && world.rng.sweeps.chance(sweepOverlapRate))
        world.scheduler.after(sweepMs - world.rng.sweeps.int(1, 1_000), start);
      else start();
    },
    running,
  );
}

function figures(world: World, simulatedMs: number): FaultFigures {
  let completedOnce = 0;
  let lost = 0;
  let ranTwice = 0;
  const lostBy: Record<string, number> = {};
  for (const job of world.logical) {
    const successes = job.attempts.filter((id) => world.status(id) === 'success').length;
    if (successes === 1) completedOnce += 1;
    else if (successes > 1) ranTwice += 1;
    else {
      lost += 1;
      const last = job.attempts.at(-1) ?? 0;
      const key = `${world.status(last)}:${world.attempts.get(last)?.failureReason ?? '-'}`;
      lostBy[key] = (lostBy[key] ?? 0) + 1;
    }
  }
  const launched = [...world.ec2.instances.values()];
  return {
    jobs: world.scenario.jobs.length,
    completedOnce,
    lost: lost + (world.scenario.jobs.length - world.logical.length),
    ranTwice,
    instancesLeft: world.ec2.running().length,
    runnersLeft: world.gitlab.runners.size,
    tokensLeft: world.tokens.tokens.size,
    spotInstances: launched.filter((i) => i.lifecycle === 'spot').length,
    onDemandInstances: launched.filter((i) => i.lifecycle === 'on-demand').length,
    gitlabJobs: world.attempts.size,
    deadLettered: world.demandQueue.deadLettered + world.lifecycleQueue.deadLettered,
    invocations: { scaleUp: world.demandQueue.invocations, lifecycle: world.lifecycleQueue.invocations },
    overlappingInvocations: {
      scaleUp: world.demandQueue.overlapping,
      lifecycle: world.lifecycleQueue.overlapping,
    },
    simulatedMs,
    gitlabCalls: Object.values(world.gitlab.calls).reduce((sum, n) => sum + n, 0),
    runnersCreated: world.gitlab.runnersCreated,
    runnerDeletes: world.gitlab.calls.deleteRunner,
    stats: { ...world.stats },
    lostBy,
  };
}
