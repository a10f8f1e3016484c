import type { FleetInstance, LaunchedInstance, LaunchResult, ScaleUpFleet } from '../lambdas/scale-up/ports';
import { projectShares } from '../lambdas/scale-up/project-tag';
import type { LaunchRequest } from '../lambdas/shared/fleet-launch';
import { TagKey } from '../lambdas/shared/naming';
import { TokenBucket } from './token-bucket';

/** EC2's error for a call over its token bucket. */
export class RequestLimitExceeded extends Error {
  override readonly name = 'RequestLimitExceeded';
}

/** EC2's error for a ClientToken reused with other parameters. */
export class IdempotentParameterMismatch extends Error {
  override readonly name = 'IdempotentParameterMismatch';
}

/** An instance as the simulation keeps it. */
export interface SimInstance extends FleetInstance {
  state: 'running' | 'terminated';
  /** Replaced whole by CreateTags (`tagProjects`), never changed in place. */
  tags: Readonly<Record<string, string>>;
  readonly launchedAt: number;
  /** EC2's reason for the last state change, e.g. `Server.SpotInstanceTermination`. */
  stateReason?: string;
}

/** Fault injection and bucket sizes. Defaults are EC2's documented defaults per account and Region. */
export interface InMemoryEc2Options {
  readonly now: () => number;
  /** Spot instances EC2 cannot give for a request (InsufficientInstanceCapacity). @default () => 0 */
  readonly spotShortfall?: (request: LaunchRequest) => number;
  /** CreateFleet shares the mutating bucket: 50 burst, 5 per second. */
  readonly mutatingBucket?: { capacity: number; refillPerSecond: number };
  /** Told of every running instance a TerminateInstances call ends (a simulation's EventBridge). */
  readonly onTerminated?: (instanceId: string) => void;
}

/**
 * The in-memory {@link ScaleUpFleet}: the same port as EC2, with EC2's token buckets (mutating calls,
 * TerminateInstances, DescribeInstances, and the instance-launch resource bucket), idempotent
 * ClientTokens and injectable capacity errors. Tests, benchmarks and the demo share it.
 */
export class InMemoryEc2 implements ScaleUpFleet {
  readonly instances = new Map<string, SimInstance>();
  readonly calls = { createFleet: 0, terminate: 0, describe: 0, throttled: 0, createTags: 0 };
  private readonly tokens = new Map<string, { signature: string; result: LaunchResult }>();
  private readonly mutating: TokenBucket;
  private readonly terminating: TokenBucket;
  private readonly describing: TokenBucket;
  private readonly launchResource: TokenBucket;
  private nextId = 1;
  // The running instances, in launch order: listings cost what runs, not every instance ever.
  private readonly runningIds = new Set<string>();
  // Each running instance as DescribeInstances lists it: nothing listed changes while it runs, and
  // scale-up and the reaper list the fleet on every batch and sweep.
  private readonly listings = new Map<string, FleetInstance>();

  constructor(private readonly options: InMemoryEc2Options) {
    const bucket = options.mutatingBucket ?? { capacity: 50, refillPerSecond: 5 };
    this.mutating = new TokenBucket(bucket.capacity, bucket.refillPerSecond, options.now);
    this.terminating = new TokenBucket(100, 5, options.now);
    this.describing = new TokenBucket(100, 20, options.now);
    this.launchResource = new TokenBucket(1000, 2, options.now);
  }

  /** Mutating calls made (CreateFleet and TerminateInstances). */
  get mutatingCalls(): number {
    return this.calls.createFleet + this.calls.terminate;
  }

  async launch(request: LaunchRequest): Promise<LaunchResult> {
    this.calls.createFleet += 1;
    this.spend(this.mutating);
    // Object.assign, not a spread followed by a key (V8's slow path): the same keys, in order.
    const signature = JSON.stringify(Object.assign({}, request, { clientToken: undefined }));
    const earlier = this.tokens.get(request.clientToken);
    if (earlier !== undefined) {
      if (earlier.signature !== signature) throw new IdempotentParameterMismatch(request.clientToken);
      return earlier.result;
    }
    const short =
      request.lifecycle === 'spot' ? Math.min(request.count, this.options.spotShortfall?.(request) ?? 0) : 0;
    const count = request.count - short;
    if (!this.launchResource.take(count)) {
      this.calls.throttled += 1;
      throw new RequestLimitExceeded('instance launch rate');
    }
    const instances: LaunchedInstance[] = Array.from({ length: count }, () => this.start(request));
    const errors =
      short > 0 ? [{ code: 'InsufficientInstanceCapacity', message: `no spot capacity for ${short}` }] : [];
    const result = { instances, errors };
    this.tokens.set(request.clientToken, { signature, result });
    return result;
  }

  async terminate(instanceIds: readonly string[]): Promise<void> {
    this.calls.terminate += 1;
    this.spend(this.terminating);
    for (const id of instanceIds)
      if (this.end(id, 'Client.UserInitiatedShutdown')) this.options.onTerminated?.(id);
  }

  /**
   * Ends a running instance with EC2's `reason` (e.g. `Server.SpotInstanceTermination`) and no API
   * call: the instance powering itself off, or EC2 reclaiming it. Nobody is told; false when it was
   * not running.
   */
  end(instanceId: string, reason: string): boolean {
    const instance = this.instances.get(instanceId);
    if (instance?.state !== 'running') return false;
    instance.state = 'terminated';
    instance.stateReason = reason;
    this.runningIds.delete(instanceId);
    this.listings.delete(instanceId);
    return true;
  }

  /** CreateTags: a mutating call, charged to the same bucket as CreateFleet. */
  async tagProjects(instanceIds: readonly string[], projectTag: string): Promise<void> {
    this.calls.createTags += 1;
    this.spend(this.mutating);
    for (const id of instanceIds) {
      const instance = this.instances.get(id);
      if (instance === undefined) continue;
      instance.tags = Object.assign({}, instance.tags, { [TagKey.projectId]: projectTag });
      this.listings.delete(id);
    }
  }

  async live(): Promise<readonly FleetInstance[]> {
    this.calls.describe += 1;
    this.spend(this.describing);
    return this.running().map((i) => {
      let listed = this.listings.get(i.instanceId);
      if (listed === undefined) {
        listed = Object.assign({}, i, { projectShares: projectShares(i.tags[TagKey.projectId]) });
        this.listings.set(i.instanceId, listed);
      }
      return listed;
    });
  }

  /** Instances still running, whatever the caller thinks. */
  running(): SimInstance[] {
    const running: SimInstance[] = [];
    for (const id of this.runningIds) {
      const instance = this.instances.get(id);
      if (instance?.state === 'running') running.push(instance);
      else {
        this.runningIds.delete(id);
        this.listings.delete(id);
      }
    }
    return running;
  }

  private spend(bucket: TokenBucket): void {
    if (bucket.take()) return;
    this.calls.throttled += 1;
    throw new RequestLimitExceeded('API rate');
  }

  private start(request: LaunchRequest): LaunchedInstance {
    const instanceId = `i-${(this.nextId++).toString(16).padStart(17, '0')}`;
    const first = request.overrides[0];
    const instanceType = first !== undefined && 'instanceType' in first ? first.instanceType : 'm7i.large';
    this.instances.set(instanceId, {
      instanceId,
      pool: request.pool,
      instanceType,
      lifecycle: request.lifecycle,
      state: 'running',
      tags: request.tags,
      launchedAt: this.options.now(),
    });
    this.runningIds.add(instanceId);
    return { instanceId, instanceType, lifecycle: request.lifecycle };
  }
}
