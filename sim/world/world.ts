import { Prng } from '../../planner/prng';
import { SimClock } from '../clock';
import { InMemoryEc2 } from '../in-memory-ec2';
import { InMemoryGitlab } from '../in-memory-gitlab';
import { InMemoryJobTable } from '../in-memory-job-table';
import { InMemoryTokenStore } from '../in-memory-stores';
import { inMemoryWarmRegistry } from '../in-memory-warm';
import { LATENCY_MS } from '../virtual-time';
import {
  type FaultRates,
  type LambdaModel,
  type Scenario,
  SEQUENTIAL_LAMBDA,
  type SimPool,
} from './scenario';
import { Scheduler } from './scheduler';
import { SimQueue } from './sqs-queue';

/** A job as its user sees it: the first GitLab job and every retry of it. */
export interface LogicalJob {
  readonly index: number;
  readonly projectId: number;
  readonly tags: readonly string[];
  readonly workMs: number;
  /** EC2 reclaims its spot instance mid-job the first time it runs on spot. */
  interruptPending: boolean;
  /** GitLab job ids, first to last. */
  readonly attempts: number[];
}

/** What the world knows of one GitLab job besides InMemoryGitlab's record. */
export interface Attempt {
  readonly jobId: number;
  readonly logical: LogicalJob;
  readonly retriesCount: number;
  readonly createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  runner?: { readonly id: number; readonly description: string };
  failureReason?: string;
  /** EC2 warned that the spot instance running this job would be reclaimed. */
  interrupted?: boolean;
}

/** A VM Spotlab launched, as its bootstrap sees itself. */
export interface Vm {
  readonly instanceId: string;
  readonly pool: SimPool;
  readonly lifecycle: 'spot' | 'on-demand';
  state: 'booting' | 'idle' | 'busy' | 'off';
  runnerId?: number;
  jobId?: number;
  /** Bumped each time the VM goes idle, so a stale idle timer does nothing. */
  idleEpoch: number;
  /** Who ended the instance: its own power-off, EC2 reclaiming spot, or a TerminateInstances call. */
  endedBy?: 'self' | 'spot' | 'terminate';
  /** When the instance ended (simulated epoch ms), whoever ended it. */
  endedAt?: number;
  /** A ready instance (warm capacity): `ready` until scale-up claims it, when it reads its token. */
  warm?: 'ready' | 'claimed';
  /** When a ready instance's bootstrap has its tools ready and polls for its token. */
  readyAt?: number;
}

/** Counts of what happened, for the report. */
export interface WorldStats {
  hooks: number;
  hooksDropped: number;
  hooksDuplicated: number;
  hooksLate: number;
  gitlabFaults: number;
  capacityErrors: number;
  interruptions: number;
  retries: number;
  requeued: number;
  /** Demand the lifecycle enqueued again: a job took the instance launched for another. */
  displaced: number;
  reaped: number;
  stuckFailed: number;
  killedMidJob: number;
  spotlabFailures: number;
  /** Instances CreateFleet answered with that had ended already (a reused ClientToken). */
  deadInstancesLaunched: number;
  /** Ready instances the reaper launched, and those scale-up claimed for jobs (warm capacity). */
  warmLaunched: number;
  warmClaimed: number;
  /** EC2 events EventBridge delivered twice, and late. */
  ec2EventsDuplicated: number;
  ec2EventsLate: number;
  /** Job table calls that failed throttled. */
  dynamoThrottled: number;
  /** Token parameter puts and deletes that failed throttled. */
  ssmThrottled: number;
  /** VMs whose own runner deletion at exit failed. */
  runnerSelfDeletesFailed: number;
  /** Reaper sweeps started while another still ran. */
  sweepsOverlapped: number;
}

// GitLab's end states of a job; a logical job is done once its latest GitLab job reaches one.
const ENDED = new Set(['success', 'failed', 'canceled']);
const isOpen = (status: string | undefined): boolean => !ENDED.has(status ?? '');

/** The simulated world: clock, AWS and GitLab state, queues, and the bookkeeping of jobs and VMs. */
export class World {
  readonly clock = new SimClock();
  /** Yields (work waits on simulated time) unless Lambda runs one batch at a time with instant calls. */
  readonly scheduler: Scheduler;
  /** How Lambda runs Spotlab's consumers. */
  readonly lambda: LambdaModel;
  readonly rng: {
    readonly hooks: Prng;
    readonly gitlab: Prng;
    readonly ec2: Prng;
    /**
     * The faults added later (EventBridge, DynamoDB, SSM, the VM's own GitLab call) each draw from
     * a stream of their own: turning one on or off leaves every other draw as it was.
     */
    readonly events: Prng;
    readonly dynamo: Prng;
    readonly ssm: Prng;
    readonly vms: Prng;
    /** Each adapter call's latency, and which reaper sweeps overlap: drawn only when modelled. */
    readonly latency: Prng;
    readonly sweeps: Prng;
  };
  /** The scenario's fault rates (Spotlab's GitLab wiring reads `gitlabFaultRate` here). */
  readonly options: FaultRates;
  /** When the run started (simulated epoch ms). */
  readonly startedAt: number;
  readonly gitlab = new InMemoryGitlab(this.clock.now);
  readonly ec2: InMemoryEc2;
  /** The one job table; scale-up, the lifecycle and the reaper each use their view of it. */
  readonly jobs = new InMemoryJobTable(this.clock.now);
  readonly ledger = this.jobs.ledger;
  readonly journal = this.jobs.journal;
  readonly tokens = new InMemoryTokenStore(this.clock.now);
  /** The warm registry (its item in the job table), for pools with warm capacity. */
  readonly warm = inMemoryWarmRegistry();
  readonly demandQueue: SimQueue;
  readonly lifecycleQueue: SimQueue;
  readonly logical: LogicalJob[] = [];
  readonly attempts = new Map<number, Attempt>();
  readonly vms = new Map<string, Vm>();
  /** The VMs not off, in launch order: what offering a job walks (not every VM of the run). */
  readonly liveVms = new Map<string, Vm>();
  /** Pending jobs, oldest first (a Set keeps insertion order). */
  readonly pending = new Set<number>();
  readonly stats: WorldStats = {
    hooks: 0,
    hooksDropped: 0,
    hooksDuplicated: 0,
    hooksLate: 0,
    gitlabFaults: 0,
    capacityErrors: 0,
    interruptions: 0,
    retries: 0,
    requeued: 0,
    displaced: 0,
    reaped: 0,
    stuckFailed: 0,
    killedMidJob: 0,
    spotlabFailures: 0,
    deadInstancesLaunched: 0,
    warmLaunched: 0,
    warmClaimed: 0,
    ec2EventsDuplicated: 0,
    ec2EventsLate: 0,
    dynamoThrottled: 0,
    ssmThrottled: 0,
    runnerSelfDeletesFailed: 0,
    sweepsOverlapped: 0,
  };
  /** Called when a running instance ends, whoever ended it. */
  onInstanceGone: (instanceId: string) => void = () => undefined;

  private highestJobId: number | undefined;
  private openJobs = 0;
  private readonly spotCalls = new Map<string, number>();

  constructor(readonly scenario: Scenario) {
    const seed = scenario.seed;
    this.lambda = scenario.lambda ?? SEQUENTIAL_LAMBDA;
    this.scheduler = new Scheduler(this.clock, this.lambda.latency || this.lambda.maxConcurrency > 1);
    this.options = scenario.faults;
    this.startedAt = this.clock.now();
    // Seeds × 4 + 2 went to the job stream, which the scenario now draws before the run.
    // The later streams are salted with a constant, far from the `seed × 4 + n` streams of this
    // seed and its neighbours.
    const salted = (n: number) => new Prng((seed * 4 + n) ^ 0x5bd1e995);
    this.rng = {
      hooks: new Prng(seed * 4 + 1),
      gitlab: new Prng(seed * 4 + 3),
      ec2: new Prng(seed * 4 + 4),
      events: salted(1),
      dynamo: salted(2),
      ssm: salted(3),
      vms: salted(4),
      latency: salted(5),
      sweeps: salted(6),
    };
    this.ledger.throttled = () => this.dynamoThrottles();
    this.journal.throttled = () => this.dynamoThrottles();
    this.tokens.throttled = () => this.ssmThrottles();
    this.ec2 = new InMemoryEc2({
      now: this.clock.now,
      spotShortfall: (request) => {
        const nth = (this.spotCalls.get(request.pool) ?? 0) + 1;
        this.spotCalls.set(request.pool, nth);
        const forced =
          scenario.capacityErrors?.some((e) => e.pool === request.pool && e.nth === nth) ?? false;
        if (!forced && !this.rng.ec2.chance(scenario.faults.capacityErrorRate)) return 0;
        this.stats.capacityErrors += 1;
        return Math.max(1, Math.ceil(request.count * (0.3 + 0.7 * this.rng.ec2.next())));
      },
      onTerminated: (instanceId) => this.onInstanceGone(instanceId),
    });
    const queue = (name: string, batchSize: number) =>
      new SimQueue(
        {
          name,
          batchSize,
          maxConcurrency: this.lambda.maxConcurrency,
          invokeMs: this.lambda.latency ? LATENCY_MS.invoke : 0,
          visibilityTimeoutMs: 360_000,
          maxReceives: 5,
        },
        this.scheduler,
      );
    this.demandQueue = queue('demand', 50);
    this.lifecycleQueue = queue('lifecycle', 20);
  }

  /**
   * The id of a job GitLab creates: `given` (a retry's, which GitLab chose), else the next one.
   * Ids only grow, retries included; counting beats scanning every job id once traces get long.
   */
  jobId(given: number | undefined, first: number): number {
    const id = given ?? (this.highestJobId === undefined ? first : this.highestJobId + 1);
    this.highestJobId = Math.max(this.highestJobId ?? id, id);
    return id;
  }

  /**
   * Whether this job table call fails throttled, at the scenario's `dynamoThrottleRate`: the
   * ledger, the journal and the reaper's table share one table, so one draw stream.
   */
  dynamoThrottles(): boolean {
    if (!this.rng.dynamo.chance(this.options.dynamoThrottleRate ?? 0)) return false;
    this.stats.dynamoThrottled += 1;
    return true;
  }

  /** Whether this token parameter put or delete by Spotlab fails throttled (`ssmThrottleRate`). */
  ssmThrottles(): boolean {
    if (!this.rng.ssm.chance(this.options.ssmThrottleRate ?? 0)) return false;
    this.stats.ssmThrottled += 1;
    return true;
  }

  /** The pool named `name`. */
  pool(name: string): SimPool {
    const pool = this.scenario.pools.find((p) => p.name === name);
    if (pool === undefined) throw new Error(`no pool ${name}`);
    return pool;
  }

  /** A GitLab job's status. */
  status(jobId: number): string | undefined {
    return this.gitlab.jobs.get(jobId)?.status;
  }

  /** Sets a GitLab job's status (GitLab's own transitions). */
  setStatus(jobId: number, status: string): void {
    const before = this.status(jobId);
    const job = this.gitlab.jobs.get(jobId);
    if (job !== undefined) job.status = status;
    if (status !== 'pending') this.pending.delete(jobId);
    this.statusChanged(jobId, before);
  }

  /** Records GitLab job `attempt` as the latest of its logical job (the first, or a retry). */
  addAttempt(attempt: Attempt): void {
    const { logical, jobId } = attempt;
    const latest = logical.attempts.at(-1);
    if (latest !== undefined && isOpen(this.status(latest))) this.openJobs -= 1;
    this.attempts.set(jobId, attempt);
    logical.attempts.push(jobId);
    if (isOpen(this.status(jobId))) this.openJobs += 1;
  }

  /**
   * Job `jobId` went from `before` to its status now, by {@link World.setStatus} or by a GitLab
   * API call of Spotlab's (a cancel).
   */
  statusChanged(jobId: number, before: string | undefined): void {
    const latest = this.attempts.get(jobId)?.logical.attempts.at(-1);
    if (latest !== jobId) return;
    this.openJobs += Number(isOpen(this.status(jobId))) - Number(isOpen(before));
  }

  /**
   * Whether every logical job that arrived has ended (its latest GitLab job did), counted as statuses
   * change: a run asks after every event, and walking every job then made long replays quadratic.
   */
  get allEnded(): boolean {
    return this.openJobs === 0;
  }
}
