import type { ScenarioResult } from '../report/model';
import type { StartupProfile } from './startup-profile';

/** One job of a trace, as `spotlab trace export` writes it and `spotlab simulate` replays it. */
export interface TraceJob {
  readonly project: number;
  /** When GitLab created the job (ms since the epoch). */
  readonly createdAtMs: number;
  /** How long the job itself ran once a runner took it, in seconds. */
  readonly durationSeconds: number;
  /** The job's `tags:`; empty for an untagged job. */
  readonly tags: readonly string[];
  /** The job's name, when the trace has it; for the report only. */
  readonly name?: string;
  /**
   * When the job entered the runner queue (GitLab status `pending`), ms since the epoch. A later-stage
   * job is created with its pipeline but only queued once the stages before it pass, so a wait is
   * counted from here when the trace has it (see {@link arrivalMs}).
   */
  readonly queuedAtMs?: number;
}

/** The moment a job starts asking for a runner: when it was queued, else when it was created. */
export function arrivalMs(job: TraceJob): number {
  return job.queuedAtMs ?? job.createdAtMs;
}

/**
 * The assumptions a simulation rests on. Every one is a parameter with a documented default
 * (docs/simulate.md cites where each default comes from).
 */
export interface SimParameters {
  /** Seeds every random choice: the same seed and trace give the same report. */
  readonly seed: number;
  /** Launch request to the job running, stage by stage (planner/startup-profile.ts). */
  readonly startup: StartupProfile;
  /**
   * With `--config`: each pool's own `image` picks its profile (`baked`, else stock) instead of
   * `startup`. True unless `--image` or `--boot-seconds` was given.
   */
  readonly startupFromPools?: boolean;
  /** Spot price as a fraction off the on-demand price (0.6 = 60% cheaper). */
  readonly spotDiscount: number;
  /** Fraction of spot jobs whose instance EC2 reclaims mid-job. */
  readonly interruptRate: number;
  /** On-demand price of one runner instance, USD per hour. */
  readonly onDemandUSDPerHour: number;
  /** Ready instances Spotlab keeps (warm capacity) while the trace's jobs arrive. @default 0 */
  readonly warmCount?: number;
}

/** Replays a trace through Spotlab's real scaling code on the in-memory world. */
export type SpotlabReplay = (jobs: readonly TraceJob[], parameters: SimParameters) => Promise<ScenarioResult>;
