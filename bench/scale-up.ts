/**
 * Scale-up burst benchmark: what a burst of pending jobs costs in EC2 and GitLab calls, and how long
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
import { pathToFileURL } from 'node:url';
import type { SQSRecord } from 'aws-lambda';
import { type ScaleUpObserver, silentObserver } from '../lambdas/scale-up/observer';
import type { Fleet, JobLedger, LaunchRequest, TokenStore } from '../lambdas/scale-up/ports';
import { readDemandRecords } from '../lambdas/scale-up/read-records';
import { type ScaleUpDeps, scaleUp } from '../lambdas/scale-up/scale-up';
import type { RuntimePool } from '../lambdas/scale-up/settings';
import type { GitlabApi } from '../lambdas/shared/gitlab/port';
import type { DemandMessage } from '../lambdas/shared/job-messages';
import { SimClock } from '../sim/clock';
import { InMemoryEc2, RequestLimitExceeded } from '../sim/in-memory-ec2';
import { type GitlabFault, InMemoryGitlab } from '../sim/in-memory-gitlab';
import { InMemoryLedger, InMemoryTokenStore } from '../sim/in-memory-stores';

/** Simulated milliseconds per call, from a Lambda in eu-west-1: typical, not worst, figures. */
export const LATENCY_MS = {
  /** One GitLab.com REST call (TLS reused) across the Atlantic, GitLab's own time included. */
  gitlab: 80,
  /** CreateFleet `instant` answers once EC2 has placed the instances: about a second. */
  createFleet: 1_200,
  /** DescribeInstances with two filters over a few hundred instances. */
  describeInstances: 150,
  terminateInstances: 300,
  /** SSM PutParameter of a SecureString (KMS encrypt included). */
  ssmPut: 30,
  ssmDelete: 30,
  /** One conditional DynamoDB write in the Region. */
  ledger: 8,
  /** Event source poller to a warm Lambda. */
  invoke: 20,
} as const;

/** The demand queue's event source mapping and queue, as the stack configures them. */
export const EVENT_SOURCE = {
  batchSize: 50,
  batchingWindowMs: 1_000,
  maxConcurrency: 2,
  visibilityTimeoutMs: 360_000,
  /** Rounds of redelivery before a message counts as lost (the DLQ). */
  maxReceives: 10,
} as const;

const SPOT_SHORTFALL = 0.05;
const PROJECTS = 20;
const SUBNETS = ['subnet-0a1', 'subnet-0b2', 'subnet-0c3'];
const docker = (name: string, architecture: 'arm64' | 'x86_64', types: string[], untagged: boolean) =>
  ({
    name,
    tags: ['docker', 'linux', architecture],
    runUntagged: untagged,
    architecture,
    launchTemplateId: `lt-0${name}`,
    instanceTypes: types,
    maxInstances: 400,
    onDemandFallback: true,
    jobTimeoutSeconds: 3600,
  }) satisfies RuntimePool;
const POOLS: RuntimePool[] = [
  docker('arm64-docker', 'arm64', ['m7g.large', 'c7g.large', 'm6g.large'], true),
  docker('x86-docker', 'x86_64', ['m7i.large', 'c7i.large', 'm7a.large'], false),
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
}

/** A clock that only moves when every task waits: then it jumps to the earliest timer. */
class VirtualTime {
  private readonly timers: { at: number; seq: number; wake: () => void }[] = [];
  private seq = 0;

  constructor(readonly clock: SimClock) {}

  sleep(ms: number): Promise<void> {
    return new Promise((wake) => {
      this.timers.push({ at: this.clock.now() + Math.max(0, ms), seq: this.seq++, wake });
    });
  }

  /** Runs `main` to its end. Adapters are microtask-only, so one macrotask turn drains every task. */
  async run<T>(main: Promise<T>): Promise<T> {
    let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
    main.then(
      (value) => {
        outcome = { ok: true, value };
      },
      (error: unknown) => {
        outcome = { ok: false, error };
      },
    );
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      if (outcome !== undefined) {
        if (outcome.ok) return outcome.value;
        throw outcome.error;
      }
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift();
      if (next === undefined) throw new Error('simulation stalled: every task waits and no timer is set');
      this.clock.advance(next.at - this.clock.now());
      next.wake();
    }
  }

  /** The call takes effect when it arrives; its answer (or error) comes back `ms` later. */
  async call<T>(ms: number, effect: () => Promise<T>): Promise<T> {
    const answer = effect();
    answer.catch(() => undefined);
    await this.sleep(ms);
    return answer;
  }
}

/** The in-memory adapters behind simulated latency. */
function slowAdapters(
  vt: VirtualTime,
  sim: { ec2: InMemoryEc2; gitlab: InMemoryGitlab; ledger: JobLedger; tokens: TokenStore },
  launchRequestsAt: number[],
  failedDescribes: number,
) {
  const { ec2, gitlab, ledger, tokens } = sim;
  let describeFaults = failedDescribes;
  const fleet: Fleet = {
    launch: (request) => {
      launchRequestsAt.push(vt.clock.now());
      return vt.call(LATENCY_MS.createFleet, () => ec2.launch(request));
    },
    terminate: (ids) => vt.call(LATENCY_MS.terminateInstances, () => ec2.terminate(ids)),
    live: () =>
      vt.call(LATENCY_MS.describeInstances, async () => {
        if (describeFaults <= 0) return ec2.live();
        describeFaults -= 1;
        throw new RequestLimitExceeded('DescribeInstances');
      }),
  };
  const api: GitlabApi = {
    getJob: (projectId, jobId) => vt.call(LATENCY_MS.gitlab, () => gitlab.getJob(projectId, jobId)),
    createRunner: (spec) => vt.call(LATENCY_MS.gitlab, () => gitlab.createRunner(spec)),
    deleteRunner: (id) => vt.call(LATENCY_MS.gitlab, () => gitlab.deleteRunner(id)),
  };
  const store: TokenStore = {
    put: (instanceId, token) => vt.call(LATENCY_MS.ssmPut, () => tokens.put(instanceId, token)),
    delete: (instanceId) => vt.call(LATENCY_MS.ssmDelete, () => tokens.delete(instanceId)),
  };
  const jobs: JobLedger = {
    claim: (jobId, projectId) => vt.call(LATENCY_MS.ledger, () => ledger.claim(jobId, projectId)),
    release: (jobId) => vt.call(LATENCY_MS.ledger, () => ledger.release(jobId)),
    recordLaunch: (jobId, record) => vt.call(LATENCY_MS.ledger, () => ledger.recordLaunch(jobId, record)),
    recordSkip: (jobId, reason) => vt.call(LATENCY_MS.ledger, () => ledger.recordSkip(jobId, reason)),
  };
  return { fleet, gitlab: api, tokens: store, ledger: jobs };
}

/** Counts what scale-up reports; failures are kept, so a broken run says why. */
function countingObserver() {
  const failures: string[] = [];
  const webhookToLaunchMs: number[] = [];
  const observer: ScaleUpObserver = {
    ...silentObserver,
    invalidMessage: (id, problem) => failures.push(`invalid ${id}: ${problem}`),
    unroutable: (jobId, reason) => failures.push(`unroutable ${jobId}: ${reason}`),
    failed: (stage, jobId, error) => failures.push(`${stage} ${jobId ?? '-'}: ${String(error)}`),
    webhookToLaunchMs: (_pool, ms) => webhookToLaunchMs.push(ms),
  };
  return { observer, failures, webhookToLaunchMs };
}

/** A message on the demand queue. */
interface Queued {
  readonly record: SQSRecord;
  visibleAt: number;
  receives: number;
  state: 'waiting' | 'in-flight' | 'done' | 'lost';
}

function demandRecord(jobId: number, projectId: number, at: number): SQSRecord {
  const message: DemandMessage = {
    v: 1,
    kind: 'demand',
    status: 'pending',
    jobId,
    projectId,
    pipelineId: 500_000 + projectId,
    jobName: 'test',
    idempotencyKey: `${jobId}:pending`,
    receivedAt: new Date(at).toISOString(),
    queuedDurationSeconds: 0,
    retriesCount: 0,
    createdAt: new Date(at).toISOString(),
  };
  return {
    messageId: `msg-${jobId}`,
    receiptHandle: `rh-${jobId}`,
    body: JSON.stringify(message),
    messageAttributes: {},
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(at),
      SenderId: 'AROAWEBHOOK',
      ApproximateFirstReceiveTimestamp: String(at),
    },
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:spotlab-demand',
    awsRegion: 'eu-west-1',
  };
}

/** Lambda's SQS poller: batches of up to 50 with a batching window, at most 2 invocations in flight. */
async function eventSource(
  queue: Queued[],
  vt: VirtualTime,
  invoke: (records: SQSRecord[]) => Promise<string[]>,
) {
  const now = () => vt.clock.now();
  const waiting = () => queue.filter((m) => m.state === 'waiting');
  const visible = () => waiting().filter((m) => m.visibleAt <= now());
  const nextVisibleAt = () =>
    Math.min(
      ...waiting()
        .filter((m) => m.visibleAt > now())
        .map((m) => m.visibleAt),
    );
  const inFlight = new Set<Promise<void>>();
  while (waiting().length > 0 || inFlight.size > 0) {
    if (inFlight.size >= EVENT_SOURCE.maxConcurrency || waiting().length === 0) {
      await Promise.race(inFlight);
      continue;
    }
    if (visible().length === 0) {
      await Promise.race([vt.sleep(nextVisibleAt() - now()), ...inFlight]);
      continue;
    }
    const windowEnd = now() + EVENT_SOURCE.batchingWindowMs;
    while (visible().length < EVENT_SOURCE.batchSize && now() < windowEnd)
      await vt.sleep(Math.min(windowEnd, nextVisibleAt()) - now());
    const batch = visible().slice(0, EVENT_SOURCE.batchSize);
    const receivedAt = now();
    for (const m of batch) {
      m.state = 'in-flight';
      m.receives += 1;
    }
    const run = invoke(
      batch.map((m) => ({
        ...m.record,
        attributes: { ...m.record.attributes, ApproximateReceiveCount: String(m.receives) },
      })),
    )
      .then(
        (retry) => retry,
        // A function error (the handler threw) fails the whole batch, as SQS sees it.
        () => batch.map((m) => m.record.messageId),
      )
      .then((retry) => {
        const failed = new Set(retry);
        for (const m of batch) {
          if (!failed.has(m.record.messageId)) m.state = 'done';
          else if (m.receives >= EVENT_SOURCE.maxReceives) m.state = 'lost';
          else {
            // SQS hides a received message for the visibility timeout; a listed failure reappears then.
            m.state = 'waiting';
            m.visibleAt = receivedAt + EVENT_SOURCE.visibilityTimeoutMs;
          }
        }
      });
    inFlight.add(run);
    run.finally(() => inFlight.delete(run)).catch(() => undefined);
  }
}

/** Faults to inject into a burst. */
export interface BurstOptions {
  /** GitLab answers of the first calls, one per call, as the HTTP adapter reports them. @default [] */
  readonly gitlabFaults?: readonly GitlabFault[];
  /** DescribeInstances calls that fail with RequestLimitExceeded before they succeed again. @default 0 */
  readonly failedDescribes?: number;
  /** EC2's mutating-call bucket (CreateFleet). @default EC2's 50 burst, 5 per second */
  readonly mutatingBucket?: { readonly capacity: number; readonly refillPerSecond: number };
}

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
  const ledger = new InMemoryLedger(clock.now);
  const tokens = new InMemoryTokenStore();
  const launchRequestsAt: number[] = [];
  const { observer, failures, webhookToLaunchMs } = countingObserver();
  const deps: ScaleUpDeps = {
    ...slowAdapters(vt, { ec2, gitlab, ledger, tokens }, launchRequestsAt, options.failedDescribes ?? 0),
    pools: POOLS,
    subnetIds: SUBNETS,
    scope: { type: 'project' },
    limits: { maxInstances: 600, maxSpendPerHourUsd: 1_000 },
    prices: { usdPerHour: {}, defaultUsdPerHour: 0.2 },
    shapeTags: { cpuPrefix: 'cpu:', memoryGiBPrefix: 'mem:' },
    stackName: 'spotlab-bench',
    observer,
    now: clock.now,
  };

  gitlab.failNext(...(options.gitlabFaults ?? []));
  const jobIds: number[] = [];
  const queue: Queued[] = [];
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

  const jobsLaunchedOnce = checkEveryJobServedOnce(jobIds, ec2, gitlab, ledger, tokens);
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
  };
}

/**
 * Every job launched, on its own instance, with its own runner named after that instance and that
 * runner's token stored for that instance; nothing else running, registered or stored.
 * @returns the number of jobs served exactly once.
 * @throws naming the first problems when any job is not.
 */
function checkEveryJobServedOnce(
  jobIds: readonly number[],
  ec2: InMemoryEc2,
  gitlab: InMemoryGitlab,
  ledger: InMemoryLedger,
  tokens: InMemoryTokenStore,
): number {
  const problems: string[] = [];
  const instances = new Set<string>();
  for (const jobId of jobIds) {
    const launch = ledger.items.get(jobId)?.launch;
    const runner = launch === undefined ? undefined : gitlab.runners.get(launch.runnerId);
    if (launch === undefined) problems.push(`job ${jobId}: not launched`);
    else if (instances.has(launch.instanceId)) problems.push(`job ${jobId}: shares ${launch.instanceId}`);
    else if (ec2.instances.get(launch.instanceId)?.state !== 'running')
      problems.push(`job ${jobId}: ${launch.instanceId} is not running`);
    else if (runner?.description !== `spotlab ${launch.instanceId}`)
      problems.push(`job ${jobId}: no runner for ${launch.instanceId}`);
    else if (tokens.tokens.get(launch.instanceId) !== runner.token)
      problems.push(`job ${jobId}: no token for ${launch.instanceId}`);
    if (launch !== undefined) instances.add(launch.instanceId);
  }
  const extra = [
    [ec2.running().length, 'instances running'],
    [gitlab.runners.size, 'runners registered'],
    [tokens.tokens.size, 'tokens stored'],
  ] as const;
  for (const [count, what] of extra)
    if (count !== jobIds.length) problems.push(`${count} ${what} for ${jobIds.length} jobs`);
  if (problems.length > 0)
    throw new Error(
      `not every job got exactly one instance, runner and token: ${problems.slice(0, 5).join('; ')}`,
    );
  return jobIds.length;
}

async function main(): Promise<void> {
  const wallStart = performance.now();
  const f = await runBurst(500);
  const wallMs = performance.now() - wallStart;
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.log(
    `jobs: ${f.jobs} pending across ${PROJECTS} projects, ${POOLS.length} pools, ${f.invocations} invocations`,
  );
  console.log(
    `instances launched: ${f.spotInstances + f.onDemandInstances} (spot ${f.spotInstances}, on-demand ${f.onDemandInstances})`,
  );
  console.log(
    `EC2 mutating calls: ${f.ec2MutatingCalls} (${f.createFleetCalls} CreateFleet), ${f.ec2MutatingCallsPerJob} per job; throttled: ${f.throttled}`,
  );
  console.log(`GitLab calls: ${f.gitlabCalls}, ${f.gitlabCallsPerJob} per job`);
  console.log(
    `redelivered messages: ${f.redeliveries}, lost: ${f.lostMessages}; failures reported: ${f.failures}`,
  );
  console.log(
    `simulated launch span: ${seconds(f.launchSpanMs)} to the last CreateFleet request, ${seconds(f.readySpanMs)} to the last runner token; webhook→launch request p50 ${seconds(f.webhookToLaunchP50Ms)}, max ${seconds(f.webhookToLaunchMaxMs)}`,
  );
  console.log(`wall time: ${Math.round(wallMs)} ms`);
  const targets = [
    [f.ec2MutatingCallsPerJob <= 0.1, 'EC2 mutating calls per job ≤ 0.1'],
    [f.throttled === 0, '0 throttled'],
    [f.gitlabCallsPerJob <= 3, 'GitLab calls per job ≤ 3'],
  ] as const;
  const missed = targets.filter(([met]) => !met).map(([, what]) => what);
  console.log(missed.length === 0 ? 'targets: all met' : `targets missed: ${missed.join(', ')}`);
  if (missed.length > 0) process.exitCode = 1;
  console.log(
    JSON.stringify({
      jobs: f.jobs,
      ec2MutatingCallsPerJob: f.ec2MutatingCallsPerJob,
      throttled: f.throttled,
      gitlabCallsPerJob: f.gitlabCallsPerJob,
      launchSpanMs: f.launchSpanMs,
    }),
  );
}

// Run only when executed (`tsx bench/scale-up.ts`), not when a test imports runBurst.
const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) await main();
