import type { Demand } from '../../lambdas/scale-up/check-jobs';
import { gitlabMemo } from '../../lambdas/scale-up/gitlab-memo';
import type { ScaleUpObserver } from '../../lambdas/scale-up/observer';
import type { RuntimePool } from '../../lambdas/scale-up/runtime-pool';
import type { ScaleUpDeps } from '../../lambdas/scale-up/scale-up';
import { DEFAULT_SPOT_COOL_DOWN } from '../../lambdas/shared/pool';
import { SimClock } from '../../sim/clock';
import { InMemoryEc2, type InMemoryEc2Options } from '../../sim/in-memory-ec2';
import { InMemoryGitlab } from '../../sim/in-memory-gitlab';
import { InMemoryJobTable } from '../../sim/in-memory-job-table';
import { InMemoryTokenStore } from '../../sim/in-memory-stores';
import { demandMessage } from '../../sim/sqs-event-source';

/** Two pools as a typical config declares them. */
export const POOLS: RuntimePool[] = [
  {
    name: 'arm-docker',
    tags: ['spotlab', 'arm64'],
    runUntagged: true,
    architecture: 'arm64',
    launchTemplateId: 'lt-0arm',
    instanceTypes: ['m7g.large', 'c7g.large'],
    maxInstances: 10,
    onDemandFallback: true,
    onDemandForRetries: false,
    spotCoolDown: DEFAULT_SPOT_COOL_DOWN,
    jobTimeoutSeconds: 3600,
  },
  {
    name: 'gpu',
    tags: ['gpu'],
    runUntagged: false,
    architecture: 'x86_64',
    launchTemplateId: 'lt-0gpu',
    instanceRequirements: {
      vCpuCount: { min: 4, max: 32 },
      memoryMiB: { min: 16_384, max: 131_072 },
      acceleratorTypes: ['gpu'],
    },
    maxInstances: 4,
    onDemandFallback: false,
    onDemandForRetries: false,
    spotCoolDown: DEFAULT_SPOT_COOL_DOWN,
    jobTimeoutSeconds: 7200,
  },
];

/** Everything a scale-up test observes, recorded. */
export interface Recorded {
  readonly events: string[];
}

function recordingObserver(): ScaleUpObserver & Recorded {
  const events: string[] = [];
  return {
    events,
    invalidMessage: (id) => events.push(`invalid ${id}`),
    skipped: (jobId, reason) => events.push(`skipped ${jobId} ${reason}`),
    refused: (jobId, reason) => events.push(`refused ${jobId} ${reason}`),
    unroutable: (jobId, reason) => events.push(`unroutable ${jobId} ${reason}`),
    waitingOnLimit: (pool, jobs) => events.push(`waiting ${pool} ${jobs}`),
    deferred: (pool, reason, jobs) => events.push(`deferred ${pool} ${reason} ${jobs}`),
    demandAtRisk: (jobId) => events.push(`at risk ${jobId}`),
    coolDownLaunches: (pool, n) => events.push(`cool-down ${pool} ${n}`),
    demandExpired: (jobId) => events.push(`expired ${jobId}`),
    launched: (pool, lifecycle, n) => events.push(`launched ${pool} ${lifecycle} ${n}`),
    shortfall: (pool, code, n) => events.push(`shortfall ${pool} ${code} ${n}`),
    gitlabAuthFailure: (status) => events.push(`auth ${status}`),
    failed: (stage, jobId) => events.push(`failed ${stage} ${jobId ?? '-'}`),
    webhookToLaunchMs: () => undefined,
  };
}

/** A whole simulated world behind scale-up's ports. */
export function world(overrides: Partial<ScaleUpDeps> = {}, ec2Options: Partial<InMemoryEc2Options> = {}) {
  const clock = new SimClock();
  const ec2 = new InMemoryEc2({ now: clock.now, ...ec2Options });
  const gitlab = new InMemoryGitlab();
  const { ledger } = new InMemoryJobTable(clock.now);
  const tokens = new InMemoryTokenStore();
  const observer = recordingObserver();
  const deps: ScaleUpDeps = {
    gitlab,
    fleet: ec2,
    tokens,
    ledger,
    pools: POOLS,
    subnetIds: ['subnet-0a', 'subnet-0b'],
    scope: { type: 'project' },
    admission: {},
    memo: gitlabMemo(gitlab, clock.now),
    // No project cap below the global one here: the tests of the project cap set their own.
    limits: { maxInstances: 12, maxSpendPerHourUsd: 100, maxInstancesPerProject: 12 },
    prices: { usdPerHour: {}, defaultUsdPerHour: 1 },
    shapeTags: { cpuPrefix: 'cpu:', memoryGiBPrefix: 'mem:' },
    stackName: 'Spotlab',
    observer,
    now: clock.now,
    ...overrides,
  };
  return { clock, ec2, gitlab, ledger, tokens, observer, deps };
}

let messageCounter = 0;
/** A demand message as the webhook enqueues it for a pending job. */
export function demand(jobId: number, projectId = 380): Demand {
  messageCounter += 1;
  return {
    messageId: `msg-${messageCounter}`,
    demand: demandMessage(jobId, projectId, Date.UTC(2026, 10, 23, 9, 0, 0)),
  };
}
