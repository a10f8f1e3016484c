/**
 * The scale-up burst benchmark's engine (`npm run bench:scale-up`, see bench/scale-up.ts): what a burst of pending jobs costs in EC2 and GitLab calls, and how long
 * the last job waits for its launch request, with scale-up fed the way the SQS event source feeds it.
 *
 * The real `scaleUp` (after the handler's `readDemandRecords`) runs over the in-memory adapters of
 * `sim/` (EC2 with its token buckets, GitLab, job ledger, token store) on a simulated clock. Each
 * adapter call costs the simulated latency of {@link LATENCY_MS}; work in flight at once overlaps,
 * so the span is what a deployed stack would see, computed in well under a second of wall time.
 * The event source is modelled after {@link EVENT_SOURCE}: batches of up to 50, a 1 s batching
 * window, at most 2 invocations in flight, retried messages (`batchItemFailures`) visible again
 * after the visibility timeout. 5% of the spot capacity asked for is refused
 * (InsufficientInstanceCapacity), so the on-demand fallback runs.
 *
 * Last line: {"jobs", "ec2MutatingCallsPerJob", "throttled", "gitlabCallsPerJob", "launchSpanMs"}.
 * Targets: ≤ 0.1 EC2 mutating calls per job, 0 throttled, ≤ 3 GitLab calls per job. The run throws
 * unless every job got exactly one instance, one runner and one token.
 */
import type { SQSRecord } from 'aws-lambda';
import { gitlabMemo } from '../lambdas/scale-up/gitlab-memo';
import { EC2_LAUNCH_RATE, LaunchPacer } from '../lambdas/scale-up/launch-pacing';
import type { DemandRequeue } from '../lambdas/scale-up/ports';
import { readDemandRecords } from '../lambdas/scale-up/read-records';
import type { RuntimePool } from '../lambdas/scale-up/runtime-pool';
import { type ScaleUpDeps, scaleUp } from '../lambdas/scale-up/scale-up';
import type { LaunchRequest } from '../lambdas/shared/fleet-launch';
import { checkEveryJobServedOnce } from '../sim/check-served-once';
import { SimClock } from '../sim/clock';
import { countingObserver } from '../sim/counting-observer';
import { InMemoryEc2 } from '../sim/in-memory-ec2';
import { type GitlabFault, InMemoryGitlab } from '../sim/in-memory-gitlab';
import { InMemoryJobTable } from '../sim/in-memory-job-table';
import { InMemoryTokenStore } from '../sim/in-memory-stores';
import { dockerPool } from '../sim/pools';
import { slowAdapters } from '../sim/slow-adapters';
import { demandRecord, EVENT_SOURCE, eventSource, type Queued, sendDelayed } from '../sim/sqs-event-source';
import { LATENCY_MS, VirtualTime } from '../sim/virtual-time';

const SPOT_SHORTFALL = 0.05;
const PROJECTS = 20;
const SUBNETS = ['subnet-0a1', 'subnet-0b2', 'subnet-0c3'];
const POOLS: RuntimePool[] = [
  dockerPool('arm64-docker', 'arm64', ['m7g.large', 'c7g.large', 'm6g.large'], {
    runUntagged: true,
    maxInstances: 400,
  }),
  dockerPool('x86-docker', 'x86_64', ['m7i.large', 'c7i.large', 'm7a.large'], { maxInstances: 400 }),
];
/** Tag sets of `.gitlab-ci.yml` jobs; untagged and plain `docker` jobs land on the arm64 pool. */
const TAG_MIX: string[][] = [
  [],
  ['docker'],
  ['docker', 'arm64'],
  ['linux', 'arm64'],
  ['x86_64'],
  ['docker', 'x86_64'],
  ['linux', 'docker', 'x86_64'],
];

/** What a burst cost. */
export interface BurstFigures {
  readonly jobs: number;
  readonly jobsLaunchedOnce: number;
  readonly spotInstances: number;
  readonly onDemandInstances: number;
  readonly createFleetCalls: number;
  readonly ec2MutatingCalls: number;
  readonly ec2MutatingCallsPerJob: number;
  readonly throttled: number;
  readonly gitlabCalls: number;
  readonly gitlabCallsPerJob: number;
  readonly invocations: number;
  readonly redeliveries: number;
  /** Messages still failing after {@link EVENT_SOURCE.maxReceives} deliveries. */
  readonly lostMessages: number;
  /** Failures scale-up reported (GitLab, EC2, SSM, ledger errors). */
  readonly failures: number;
  /** First message enqueued to the last CreateFleet request. */
  readonly launchSpanMs: number;
  /** First message enqueued to the last invocation's end (every runner token stored). */
  readonly readySpanMs: number;
  readonly webhookToLaunchP50Ms: number;
  readonly webhookToLaunchMaxMs: number;
  /** Demand messages scale-up re-sent with a delay to wait (launch rate, caps, throttling). */
  readonly deferrals: number;
  /** Jobs whose wait carried them past GitLab's one-hour pending limit. */
  readonly atRisk: number;
  /** Jobs given up on, unlaunched, past scale-up's age bound. */
  readonly expired: number;
}

/** Faults to inject into a burst. */
export interface BurstOptions {
  /** GitLab answers of the first calls, one per call, as the HTTP adapter reports them. @default [] */
  readonly gitlabFaults?: readonly GitlabFault[];
  /** DescribeInstances calls that fail with RequestLimitExceeded before they succeed again. @default 0 */
  readonly failedDescribes?: number;
  /** EC2's mutating-call bucket (CreateFleet). @default EC2's 50 burst, 5 per second */
  readonly mutatingBucket?: { readonly capacity: number; readonly refillPerSecond: number };
  /**
   * Pool, global and spend caps raised to the burst, so only EC2's buckets bound it; and a job
   * left unlaunched (expired) is counted instead of failing the run. @default false
   */
  readonly capsRaised?: boolean;
}

/** Projects and pools of the burst, for the report. */
export const BURST_SHAPE = { projects: PROJECTS, pools: POOLS.length } as const;

/**
 * Sends `jobs` pending jobs through scale-up as one burst and returns what it cost.
 * @throws unless every job got exactly one instance, one runner and one token.
 */
export async function runBurst(jobs: number, options: BurstOptions = {}): Promise<BurstFigures> {
  const clock = new SimClock();
  const vt = new VirtualTime(clock);
  const start = clock.now();
  // Exactly 5% of the spot instances asked for, spread over the calls as they come.
  let spotAsked = 0;
  const spotShortfall = (request: LaunchRequest) => {
    const before = Math.floor(spotAsked * SPOT_SHORTFALL);
    spotAsked += request.count;
    return Math.floor(spotAsked * SPOT_SHORTFALL) - before;
  };
  const ec2 = new InMemoryEc2({
    now: clock.now,
    spotShortfall,
    ...(options.mutatingBucket === undefined ? {} : { mutatingBucket: { ...options.mutatingBucket } }),
  });
  const gitlab = new InMemoryGitlab();
  const ledger = new InMemoryJobTable(clock.now).ledger;
  const tokens = new InMemoryTokenStore();
  const launchRequestsAt: number[] = [];
  const counting = countingObserver();
  const { failures, webhookToLaunchMs } = counting;
  const waits = { deferrals: 0, atRisk: 0, expired: 0 };
  const observer = {
    ...counting.observer,
    demandAtRisk: () => {
      waits.atRisk += 1;
    },
    demandExpired: () => {
      waits.expired += 1;
    },
  };
  const queue: Queued[] = [];
  const requeue: DemandRequeue = {
    send: (message, delaySeconds) =>
      vt.call(LATENCY_MS.sqsSend, async () => {
        waits.deferrals += 1;
        const id = `msg-${message.jobId}-d${message.deferrals ?? 0}`;
        sendDelayed(queue, id, message, clock.now(), delaySeconds);
      }),
  };
  const raised = options.capsRaised === true;
  const slow = slowAdapters(
    vt,
    { ec2, gitlab, ledger, tokens },
    launchRequestsAt,
    options.failedDescribes ?? 0,
  );
  const deps: ScaleUpDeps = {
    ...slow,
    admission: {},
    // One memo for the burst: the two environments in flight are modelled as sharing deps.
    memo: gitlabMemo(slow.gitlab, clock.now),
    pools: raised ? POOLS.map((pool) => ({ ...pool, maxInstances: jobs })) : POOLS,
    subnetIds: SUBNETS,
    scope: { type: 'project' },
    limits: raised
      ? { maxInstances: jobs, maxSpendPerHourUsd: jobs }
      : { maxInstances: 600, maxSpendPerHourUsd: 1_000 },
    prices: { usdPerHour: {}, defaultUsdPerHour: 0.2 },
    shapeTags: { cpuPrefix: 'cpu:', memoryGiBPrefix: 'mem:' },
    stackName: 'spotlab-bench',
    observer,
    now: clock.now,
    requeue,
    pacer: new LaunchPacer(EC2_LAUNCH_RATE, clock.now()),
  };

  gitlab.failNext(...(options.gitlabFaults ?? []));
  const jobIds: number[] = [];
  for (let index = 0; index < jobs; index += 1) {
    // GitLab.com job ids are above 2^31.
    const jobId = 7_000_000_000 + index;
    // 7 tag sets over 20 projects (coprime): every project sees every tag set.
    const projectId = 1_000 + (index % PROJECTS);
    gitlab.addJob(jobId, projectId, TAG_MIX[index % TAG_MIX.length] ?? []);
    jobIds.push(jobId);
    queue.push({
      record: demandRecord(jobId, projectId, start),
      visibleAt: start,
      receives: 0,
      state: 'waiting',
    });
  }

  let invocations = 0;
  let lastInvocationEnd = start;
  const invoke = async (records: SQSRecord[]): Promise<string[]> => {
    invocations += 1;
    await vt.sleep(LATENCY_MS.invoke);
    const retry = await scaleUp(readDemandRecords(records, observer), deps);
    lastInvocationEnd = Math.max(lastInvocationEnd, clock.now());
    return retry;
  };
  await vt.run(eventSource(queue, vt, invoke));

  const launched = raised ? jobIds.filter((jobId) => ledger.items.get(jobId)?.launch !== undefined) : jobIds;
  const jobsLaunchedOnce = checkEveryJobServedOnce(launched, ec2, gitlab, ledger, tokens);
  const running = ec2.running();
  const perJob = (calls: number) => Number((calls / jobs).toFixed(3));
  const sortedLatencies = [...webhookToLaunchMs].sort((a, b) => a - b);
  return {
    jobs,
    jobsLaunchedOnce,
    spotInstances: running.filter((i) => i.lifecycle === 'spot').length,
    onDemandInstances: running.filter((i) => i.lifecycle === 'on-demand').length,
    createFleetCalls: ec2.calls.createFleet,
    ec2MutatingCalls: ec2.mutatingCalls,
    ec2MutatingCallsPerJob: perJob(ec2.mutatingCalls),
    throttled: ec2.calls.throttled,
    gitlabCalls: gitlab.totalCalls,
    gitlabCallsPerJob: perJob(gitlab.totalCalls),
    invocations,
    redeliveries: queue.reduce((sum, m) => sum + m.receives - 1, 0),
    lostMessages: queue.filter((m) => m.state === 'lost').length,
    failures: failures.length,
    launchSpanMs: Math.max(start, ...launchRequestsAt) - start,
    readySpanMs: lastInvocationEnd - start,
    webhookToLaunchP50Ms: sortedLatencies[Math.floor(sortedLatencies.length / 2)] ?? 0,
    webhookToLaunchMaxMs: sortedLatencies.at(-1) ?? 0,
    ...waits,
  };
}
