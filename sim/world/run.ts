import { createJob } from './jobs';
import { type FaultOptions, PROJECTS, TAG_MIX, TIMES } from './scenario';
import { spotlab } from './spotlab';
import { instanceGone } from './vms';
import { type LogicalJob, World, type WorldStats } from './world';

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
  readonly simulatedMs: number;
  readonly stats: WorldStats;
  /** Why each lost job was lost: `<status>:<failure reason>` of its last GitLab job, counted. */
  readonly lostBy: Readonly<Record<string, number>>;
}

const ENDED = new Set(['success', 'failed', 'canceled']);

/**
 * Runs `jobs` logical GitLab jobs through Spotlab's real scale-up, lifecycle and reaper code over the
 * in-memory adapters, with the scenario's faults, on a simulated clock: deterministic for a seed.
 */
export async function runFaults(options: FaultOptions): Promise<FaultFigures> {
  return (await simulate(options)).figures;
}

/** {@link runFaults}, with the world it ended in, for a closer look. */
export async function simulate(options: FaultOptions): Promise<{ world: World; figures: FaultFigures }> {
  const world = new World({
    dropRate: 0.2,
    duplicateRate: 0.1,
    reorderRate: 0.05,
    interruptRate: 0.1,
    capacityErrorRate: 0.05,
    gitlabFaultRate: 0.03,
    arrivalMinutes: Math.max(5, options.jobs / 25),
    ...options,
  });
  world.onInstanceGone = (instanceId) => instanceGone(world, instanceId);
  const lambdas = spotlab(world);
  const start = world.scheduler.now;
  schedulePipelines(world);

  let settledAt: number | undefined;
  const settled = () =>
    world.logical.length === world.options.jobs &&
    world.logical.every((job) => ENDED.has(world.status(job.attempts.at(-1) ?? 0) ?? '')) &&
    world.demandQueue.depth === 0 &&
    world.lifecycleQueue.depth === 0;
  const finished = () => {
    if (!settled()) settledAt = undefined;
    else settledAt ??= world.scheduler.now;
    return settledAt !== undefined && world.scheduler.now - settledAt >= TIMES.afterMs;
  };
  const running = () => !finished();
  world.scheduler.every(
    TIMES.pollMs,
    () => world.demandQueue.poll(lambdas.scaleUp).then(() => undefined),
    running,
  );
  world.scheduler.every(
    TIMES.pollMs,
    () => world.lifecycleQueue.poll(lambdas.lifecycle).then(() => undefined),
    running,
  );
  world.scheduler.every(TIMES.sweepMs, () => lambdas.sweep(), running);
  await world.scheduler.run(finished, start + TIMES.limitMs);
  return { world, figures: figures(world, world.scheduler.now - start) };
}

/** Pipelines of 1–8 jobs start at random times over the arrival span, in a few projects. */
function schedulePipelines(world: World): void {
  const rng = world.rng.jobs;
  const spanMs = world.options.arrivalMinutes * 60_000;
  let index = 0;
  while (index < world.options.jobs) {
    const at = Math.floor(rng.next() * spanMs);
    const projectId = rng.pick(PROJECTS);
    const size = Math.min(rng.int(1, 8), world.options.jobs - index);
    const pipeline: LogicalJob[] = [];
    for (let n = 0; n < size; n += 1) {
      pipeline.push({
        index: index++,
        projectId,
        tags: rng.pick(TAG_MIX),
        workMs: rng.int(TIMES.jobMinMs, TIMES.jobMaxMs),
        interruptPending: rng.chance(world.options.interruptRate),
        attempts: [],
      });
    }
    world.scheduler.after(at, () => {
      for (const job of pipeline) {
        world.logical.push(job);
        createJob(world, job, 0);
      }
    });
  }
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
    jobs: world.options.jobs,
    completedOnce,
    lost: lost + (world.options.jobs - world.logical.length),
    ranTwice,
    instancesLeft: world.ec2.running().length,
    runnersLeft: world.gitlab.runners.size,
    tokensLeft: world.tokens.tokens.size,
    spotInstances: launched.filter((i) => i.lifecycle === 'spot').length,
    onDemandInstances: launched.filter((i) => i.lifecycle === 'on-demand').length,
    gitlabJobs: world.attempts.size,
    deadLettered: world.demandQueue.deadLettered + world.lifecycleQueue.deadLettered,
    invocations: { scaleUp: world.demandQueue.invocations, lifecycle: world.lifecycleQueue.invocations },
    simulatedMs,
    stats: { ...world.stats },
    lostBy,
  };
}
