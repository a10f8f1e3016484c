import type { SQSRecord } from 'aws-lambda';
import { handleLifecycle, type LifecycleDeps } from '../../lambdas/lifecycle/lifecycle';
import { silentLifecycleObserver } from '../../lambdas/lifecycle/observer';
import { readLifecycleRecords } from '../../lambdas/lifecycle/read-records';
import { poolLimitsOf, REAPER_DEFAULTS } from '../../lambdas/reaper/env';
import { silentReaperObserver } from '../../lambdas/reaper/observer';
import { RunnerPageCursor } from '../../lambdas/reaper/runner-page-cursor';
import { sweep } from '../../lambdas/reaper/sweep';
import type { SweepDeps } from '../../lambdas/reaper/sweep-context';
import { gitlabMemo } from '../../lambdas/scale-up/gitlab-memo';
import { EC2_LAUNCH_RATE, LaunchPacer } from '../../lambdas/scale-up/launch-pacing';
import { silentObserver } from '../../lambdas/scale-up/observer';
import type { DemandRequeue, ScaleUpFleet } from '../../lambdas/scale-up/ports';
import { readDemandRecords } from '../../lambdas/scale-up/read-records';
import { type ScaleUpDeps, scaleUp } from '../../lambdas/scale-up/scale-up';
import { withWarmClaims } from '../../lambdas/scale-up/warm-claims';
import type { WarmRegistry } from '../../lambdas/shared/job-table/warm-registry';
import type { GitlabFault } from '../in-memory-gitlab';
import { inMemoryInterruptionLog } from '../in-memory-interruption-log';
import { inMemoryLifecycleFleet } from '../in-memory-lifecycle-fleet';
import { inMemoryReaperFleet, inMemoryTokenParameters } from '../in-memory-reaper';
import { inMemoryWarmLauncher } from '../in-memory-warm';
import { jobCanceled, jobRetried } from './jobs';
import { EC2, GITLAB, SQS, SSM, slowed, TABLE } from './latency';
import { STACK } from './scenario';
import { vmClaimed, vmLaunched } from './vms';
import type { World } from './world';

/** Spotlab's three consumers, wired to the world: each takes a batch (or a tick) and does its work. */
export interface Spotlab {
  scaleUp(records: SQSRecord[]): Promise<string[]>;
  lifecycle(records: SQSRecord[]): Promise<string[]>;
  sweep(): Promise<void>;
}

const FAULTS: readonly GitlabFault[] = [429, 500, 502, 503];
/** Every type at 0.1 USD/h: far from the default 1,000 USD/h cap, which no bundled scenario reaches. */
const SIM_PRICES = { usdPerHour: {}, defaultUsdPerHour: 0.1 } as const;

/** GitLab as Spotlab's Lambdas reach it: each call may be answered 429/5xx at the scenario's rate. */
function faultyGitlab(world: World) {
  const { gitlab } = world;
  const maybeFault = () => {
    if (!world.rng.gitlab.chance(world.options.gitlabFaultRate)) return;
    world.stats.gitlabFaults += 1;
    gitlab.failNext(world.rng.gitlab.pick(FAULTS));
  };
  return {
    getJob(projectId: number, jobId: number) {
      maybeFault();
      return gitlab.getJob(projectId, jobId);
    },
    createRunner(spec: Parameters<typeof gitlab.createRunner>[0]) {
      maybeFault();
      return gitlab.createRunner(spec);
    },
    deleteRunner(runnerId: number) {
      maybeFault();
      return gitlab.deleteRunner(runnerId);
    },
    getProject(projectId: number) {
      maybeFault();
      return gitlab.getProject(projectId);
    },
    getGroup(groupId: number) {
      maybeFault();
      return gitlab.getGroup(groupId);
    },
    listPendingJobs(projectId: number, page: number) {
      maybeFault();
      return gitlab.listPendingJobs(projectId, page);
    },
    listRunners(scope: Parameters<typeof gitlab.listRunners>[0], page: number) {
      maybeFault();
      return gitlab.listRunners(scope, page);
    },
    // GitLab knows which job each runner runs: the world records it when a runner picks a job up.
    latestJob(runnerId: number) {
      maybeFault();
      return gitlab.latestJob(runnerId);
    },
    async cancelJob(projectId: number, jobId: number): Promise<string> {
      maybeFault();
      const before = world.status(jobId);
      const status = await gitlab.cancelJob(projectId, jobId);
      jobCanceled(world, jobId, before);
      return status;
    },
    async retryJob(projectId: number, jobId: number): Promise<number> {
      maybeFault();
      const newId = await gitlab.retryJob(projectId, jobId);
      jobRetried(world, jobId, newId);
      return newId;
    },
  };
}

/**
 * Scale-up's fleet as the handler composes it for pools with warm capacity: ready instances are
 * claimed first, and a claimed VM's bootstrap then finds its token (see `vmClaimed`).
 */
function warmClaimingFleet(
  world: World,
  fleet: ScaleUpFleet,
  registry: WarmRegistry,
  failed: () => void,
): ScaleUpFleet {
  const claiming = withWarmClaims(fleet, {
    registry,
    warmPools: new Set(world.scenario.pools.filter((p) => p.warm !== undefined).map((p) => p.name)),
    observer: {
      claimed: (_pool, instances) => {
        world.stats.warmClaimed += instances;
      },
      failed,
    },
    now: world.clock.now,
  });
  return {
    ...claiming,
    async launch(request) {
      const result = await claiming.launch(request);
      for (const instance of result.instances) vmClaimed(world, instance.instanceId);
      return result;
    },
  };
}

/** Spotlab's decision code (scale-up, lifecycle, reaper sweep) over the world's in-memory adapters. */
export function spotlab(world: World): Spotlab {
  const gitlab = slowed(world, faultyGitlab(world), GITLAB);
  const tokens = slowed(world, world.tokens, SSM);
  const now = world.clock.now;
  const failed = () => {
    world.stats.spotlabFailures += 1;
  };
  const fleet: ScaleUpFleet = slowed(
    world,
    {
      async launch(request) {
        const result = await world.ec2.launch(request);
        const dead = result.instances.filter(
          (i) => world.ec2.instances.get(i.instanceId)?.state !== 'running',
        );
        world.stats.deadInstancesLaunched += dead.length;
        for (const instance of result.instances) vmLaunched(world, instance, request.pool);
        return result;
      },
      terminate: (ids) => world.ec2.terminate(ids),
      tagProjects: (ids, tag) => world.ec2.tagProjects(ids, tag),
      live: () => world.ec2.live(),
    } satisfies ScaleUpFleet,
    EC2,
  );
  // One log for both, as in the stack: the lifecycle notes interruptions, scale-up reads them.
  const interruptions = slowed(world, inMemoryInterruptionLog(now), TABLE);
  const warmPools = world.scenario.pools.filter((pool) => pool.warm !== undefined);
  const warmRegistry = slowed(world, world.warm, TABLE);
  const scaleUpDeps: ScaleUpDeps = {
    gitlab,
    fleet: warmPools.length === 0 ? fleet : warmClaimingFleet(world, fleet, warmRegistry, failed),
    tokens,
    ledger: slowed(world, world.ledger, TABLE),
    interruptions,
    pools: world.scenario.pools,
    subnetIds: ['subnet-0a1', 'subnet-0b2', 'subnet-0c3'],
    scope: { type: 'project' },
    admission: {},
    memo: gitlabMemo(gitlab, now),
    limits: {
      maxInstances: world.scenario.caps?.maxInstances ?? 500,
      maxSpendPerHourUsd: world.scenario.caps?.maxSpendPerHourUsd ?? 1_000,
      maxInstancesPerProject: world.scenario.caps?.maxInstancesPerProject,
    },
    prices: world.scenario.caps?.prices ?? SIM_PRICES,
    shapeTags: { cpuPrefix: 'cpu:', memoryGiBPrefix: 'mem:' },
    stackName: STACK,
    observer: { ...silentObserver, failed },
    now,
    requeue: slowed(
      world,
      {
        send: async (message, delaySeconds) => {
          world.demandQueue.send(JSON.stringify(message), delaySeconds);
        },
      } satisfies DemandRequeue,
      SQS,
    ),
    pacer: new LaunchPacer(EC2_LAUNCH_RATE, now()),
  };
  const lifecycleDeps: LifecycleDeps = {
    gitlab,
    instances: slowed(world, inMemoryLifecycleFleet(world.ec2, STACK), EC2),
    tokens,
    journal: slowed(world, world.journal, TABLE),
    interruptions,
    demand: slowed(
      world,
      {
        send: async (message) => {
          world.stats.displaced += 1;
          world.demandQueue.send(JSON.stringify(message));
        },
      },
      SQS,
    ),
    observer: { ...silentLifecycleObserver, failed },
  };
  // The reaper's view of the one job table: throttled at the same rate as scale-up's and the lifecycle's.
  const table = world.jobs.sweep;
  table.throttled = () => world.dynamoThrottles();
  const sweepDeps: SweepDeps = {
    fleet: slowed(world, inMemoryReaperFleet(world.ec2, STACK), EC2),
    table: slowed(world, table, TABLE),
    tokens: slowed(world, inMemoryTokenParameters(world.tokens), SSM),
    gitlab,
    queue: slowed(
      world,
      {
        send: async (message) => {
          world.stats.requeued += 1;
          world.demandQueue.send(JSON.stringify(message));
        },
      },
      SQS,
    ),
    observer: {
      ...silentReaperObserver,
      failed,
      reaped: () => {
        world.stats.reaped += 1;
      },
    },
    settings: {
      ...REAPER_DEFAULTS,
      poolLimits: poolLimitsOf(world.scenario.pools),
      prices: world.scenario.caps?.prices ?? SIM_PRICES,
      // The projects Spotlab is configured to serve: every project the scenario's jobs belong to.
      projectIds: [...new Set(world.scenario.jobs.map((job) => job.projectId))].sort((a, b) => a - b),
      runnerScope: scaleUpDeps.scope,
    },
    runnerPages: new RunnerPageCursor(),
    now,
    ...(warmPools.length === 0
      ? {}
      : {
          warm: {
            settings: {
              pools: warmPools.map((pool) => ({
                name: pool.name,
                launchTemplateId: pool.launchTemplateId,
                instanceTypes: pool.instanceTypes ?? [],
                maxInstances: pool.maxInstances,
                maxLifetimeMinutes: pool.maxLifetimeMinutes,
                jobTimeoutMinutes: Math.ceil(pool.jobTimeoutSeconds / 60),
                warm: pool.warm ?? { schedules: [] },
              })),
              subnetIds: ['subnet-0a1', 'subnet-0b2', 'subnet-0c3'],
              maxInstances: scaleUpDeps.limits.maxInstances,
            },
            registry: warmRegistry,
            launcher: slowed(
              world,
              inMemoryWarmLauncher(world.ec2, STACK, (instance, pool) =>
                vmLaunched(world, instance, pool, true),
              ),
              EC2,
            ),
            fleet: slowed(world, inMemoryReaperFleet(world.ec2, STACK), EC2),
            stackName: STACK,
            launched: (_pool: string, instances: number) => {
              world.stats.warmLaunched += instances;
            },
          },
        }),
  };
  // A sweep runs in an idle execution environment, or a new one: each keeps its own runner cursor.
  const environments: { busy: boolean; readonly runnerPages: RunnerPageCursor }[] = [
    { busy: false, runnerPages: sweepDeps.runnerPages },
  ];
  return {
    scaleUp: (records) => scaleUp(readDemandRecords(records, scaleUpDeps.observer), scaleUpDeps),
    lifecycle: (records) =>
      handleLifecycle(readLifecycleRecords(records, lifecycleDeps.observer), lifecycleDeps),
    sweep: async () => {
      let environment = environments.find((e) => !e.busy);
      if (environment === undefined) {
        environment = { busy: false, runnerPages: new RunnerPageCursor() };
        environments.push(environment);
      }
      environment.busy = true;
      try {
        await sweep(Object.assign({}, sweepDeps, { runnerPages: environment.runnerPages }));
      } finally {
        environment.busy = false;
      }
    },
  };
}
