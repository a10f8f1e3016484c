import type { LaunchRequest, Lifecycle } from '../shared/fleet-launch';
import type { DemandMessage } from '../shared/job-messages';

/** An instance EC2 started. */
export interface LaunchedInstance {
  readonly instanceId: string;
  readonly instanceType: string;
  readonly lifecycle: Lifecycle;
}

/** CreateFleet answers 200 even when it launched nothing: both lists matter. */
export interface LaunchResult {
  readonly instances: readonly LaunchedInstance[];
  readonly errors: readonly { readonly code: string; readonly message: string }[];
}

/** An instance of this stack that is pending or running. */
export interface FleetInstance {
  readonly instanceId: string;
  readonly pool: string;
  readonly instanceType: string;
  readonly lifecycle: Lifecycle;
  /** Each project's share of the instance, from its `spotlab:project-id` tag (see `project-tag`). */
  readonly projectShares?: ReadonlyMap<number, number>;
  /** EC2's LaunchTime (ms): what the instance-launch bucket was charged, and when. */
  readonly launchedAt?: number;
}

/** EC2 as scale-up needs it. Production: CreateFleet/TerminateInstances/DescribeInstances. */
export interface ScaleUpFleet {
  launch(request: LaunchRequest): Promise<LaunchResult>;
  terminate(instanceIds: readonly string[]): Promise<void>;
  /** Live (pending or running) instances of this stack. */
  live(): Promise<readonly FleetInstance[]>;
  /**
   * Sets the `spotlab:project-id` tag of instances launched without it: ready instances claimed
   * for jobs, so that the per-project cap counts them as it counts the instances launched for jobs.
   */
  tagProjects(instanceIds: readonly string[], projectTag: string): Promise<void>;
}

/** The demand queue, for jobs that wait. Production: SQS SendMessage with DelaySeconds. */
export interface DemandRequeue {
  /** @param delaySeconds how long SQS hides the message (0–900). */
  send(message: DemandMessage, delaySeconds?: number): Promise<void>;
}
