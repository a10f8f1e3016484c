/**
 * What a run of Spotlab (or of an alternative it is compared with) produced, in the shape both
 * `npm run demo` and `spotlab simulate` report: a printed summary, one JSON line, and the HTML
 * report rendered from it.
 */

/** The summary of one scenario. Its JSON form is the last line `npm run demo` prints. */
export interface RunSummary {
  readonly jobs: number;
  /** Seconds from a job's creation to a runner taking it, 50th percentile. */
  readonly waitP50s: number;
  /** Same, 95th percentile. */
  readonly waitP95s: number;
  readonly instancesLaunched: { readonly spot: number; readonly onDemand: number };
  /** Instance-minutes billed (boot to termination, summed over instances). */
  readonly instanceMinutes: number;
  readonly costUSD: number;
  /**
   * Instances, runners and token parameters left after the run; Spotlab must leave none. For a
   * scenario that keeps machines on by design ({@link ScenarioResult.keepsMachinesRunning}) these
   * are the machines still running, which is no defect.
   */
  readonly leftovers: number;
  /**
   * Cost by what AWS bills for: instances, EBS, public IPv4, the control plane, and their total
   * (`spotlab simulate --config` only).
   */
  readonly costBreakdownUSD?: {
    readonly instances: number;
    readonly ebs: number;
    readonly publicIpv4: number;
    readonly controlPlane: number;
    readonly total: number;
  };
  /** Jobs whose tags no configured pool covers, replayed on a pool that takes them anyway (`--config` only). */
  readonly unroutableJobs?: number;
}

/** One sample of the timeline, taken at a regular interval of simulated time. */
export interface TimelinePoint {
  /** Milliseconds since the start of the run. */
  readonly atMs: number;
  readonly pendingJobs: number;
  readonly runningInstances: number;
  /** USD spent on instances so far (per second, before EC2's one-minute minimum), when known. */
  readonly costUSD?: number;
}

/** One scenario: Spotlab, or an alternative such as N always-on runners. */
export interface ScenarioResult {
  /** E.g. `Spotlab`, `4 always-on runners`, `autoscaler idle_count=2 idle_time=30m`. */
  readonly name: string;
  readonly summary: RunSummary;
  readonly timeline: readonly TimelinePoint[];
  /** Every job's wait, in seconds, for the distribution chart. */
  readonly waitsSeconds: readonly number[];
  /** The cost split by how the instances were bought, when the scenario buys both ways. */
  readonly costSplitUSD?: { readonly spot: number; readonly onDemand: number };
  /**
   * True when the scenario keeps machines running by design (always-on runners, an idle pool): its
   * `summary.leftovers` counts them, and the report says so instead of calling them leftovers.
   */
  readonly keepsMachinesRunning?: boolean;
  /**
   * The start-up model the scenario ran with, stage by stage: one entry per profile (a
   * configuration's pools may use more than one). Spotlab's scenarios only.
   */
  readonly startup?: readonly StartupBreakdown[];
  /** Other figures worth showing beside the summary, e.g. `spot interruptions: 4`. */
  readonly facts?: Readonly<Record<string, string | number>>;
}

/** One start-up profile's stages, as the report shows them (planner/startup-profile.ts). */
export interface StartupBreakdown {
  /** `stock`, `baked`, `warm` or `flat 30 s`. */
  readonly profile: string;
  /** The pools that use it, when a configuration's pools differ. */
  readonly pools?: readonly string[];
  readonly stages: readonly { readonly stage: string; readonly span: string; readonly seconds: number }[];
  /** Launch requested → job running, the stages' sum. */
  readonly totalSeconds: number;
}

/** Everything a report shows. The first scenario is Spotlab's. */
export interface RunReport {
  readonly title: string;
  /** ISO 8601; simulated runs use the simulated start, so a report is reproducible. */
  readonly generatedAt: string;
  /** Parameters worth stating next to the figures (seed, prices, boot time, spot discount). */
  readonly parameters: Readonly<Record<string, string | number>>;
  readonly scenarios: readonly ScenarioResult[];
}
