/**
 * How long a runner VM takes from the launch request to its job running, stage by stage: the one
 * start-up model the Spotlab replay, the demo and the idle-pool autoscaler planner all read
 * (docs/startup.md gives the table with its sources). The stages are those the bootstrap reports
 * as `Spotlab/Startup` `StartupSeconds` (lambdas/shared/metric-names.ts), with the two outside the
 * VM (EC2's pending → running, GitLab handing the job over) before and after them.
 */

import type { StartupBreakdown } from '../report/model';

/** The stages, in order. `boot`, `token` and `tools` carry the telemetry's `stage` names. */
export const STARTUP_STAGES = ['running', 'boot', 'token', 'tools', 'runner', 'job'] as const;

/** One start-up stage's name. */
export type StartupStageName = (typeof STARTUP_STAGES)[number];

/** What each stage spans, for the report and the docs. */
export const STAGE_SPANS: Readonly<Record<StartupStageName, string>> = Object.freeze({
  running: 'launch requested → instance running',
  boot: 'instance running → bootstrap started',
  token: 'bootstrap started → token read',
  tools: 'token read → tools ready',
  runner: 'tools ready → runner asking',
  job: 'runner asking → job running',
});

/** The image profiles `spotlab simulate --image` chooses between. */
export const IMAGE_PROFILES = ['stock', 'baked', 'warm'] as const;

/** `stock` Amazon Linux 2023, the stack's `baked` image, or a `warm` instance already booted. */
export type ImageProfile = (typeof IMAGE_PROFILES)[number];

/** Seconds each stage takes (p50): a profile of the model, or a flat `--boot-seconds`. */
export interface StartupProfile {
  /** `stock`, `baked`, `warm`, or `flat 30 s` for `--boot-seconds 30`. */
  readonly name: string;
  readonly seconds: Readonly<Record<StartupStageName, number>>;
}

// Figures are p50s. Sources (docs/startup.md links them): "DESIGN" is Spotlab's design notes on
// EC2 start-up (CreateFleet answers in 1–2 s, pending → running 5–17 s, OS boot 3–10 s,
// cloud-init to user data 2–5 s, `dnf install docker` 15–40 s, runner download 1–5 s); Depot
// measured ~40 s from RunInstances to a usable stock instance; GitLab's long polling releases a
// runner's `jobs/request` at once when a job for it appears. "estimate" has no published source.
const STOCK = Object.freeze({
  // CreateFleet's answer (1.5 s) plus pending → running (11 s): the middles of DESIGN's ranges.
  running: 12.5,
  // OS boot (6 s) and cloud-init reaching the user data (3 s): DESIGN's middles.
  boot: 9,
  // The launcher writes the token right after CreateFleet answers, 20 s before the bootstrap
  // starts: one IMDS call and one GetParameter (estimate).
  token: 1,
  // dnf install docker (25 s), download + sha256 verify gitlab-runner (3 s), start docker (2 s).
  tools: 30,
  // run-single starting and sending its first jobs/request (estimate).
  runner: 1,
  // GitLab answers the first request with the pending job (long polling releases at once; estimate).
  job: 0.5,
});

const BAKED = Object.freeze({
  ...STOCK,
  // The bake trims what a CI VM never uses from boot (estimate: a third off DESIGN's 9 s).
  boot: 6,
  // Docker and the runner are in the image: only `systemctl start docker` (estimate).
  tools: 1.5,
});

const WARM = Object.freeze({
  // Already running, booted, tools ready: it only waits for its token.
  running: 0,
  boot: 0,
  tools: 0,
  // Half a ready instance's 2 s token poll (SPOTLAB_WARM_POLL_SECONDS) plus one GetParameter.
  token: 1.5,
  runner: 1,
  job: 0.5,
});

/** The model's profiles. */
export const STARTUP_PROFILES: Readonly<Record<ImageProfile, StartupProfile>> = Object.freeze({
  stock: { name: 'stock', seconds: STOCK },
  baked: { name: 'baked', seconds: BAKED },
  warm: { name: 'warm', seconds: WARM },
});

/** The profile of `image`. */
export function startupProfile(image: ImageProfile): StartupProfile {
  return STARTUP_PROFILES[image];
}

/**
 * `--boot-seconds`: the old flat model, kept as an override. All of it is the launch → token read
 * part, so the runner takes its job the moment it reads its token, as before the stages.
 */
export function flatStartup(seconds: number): StartupProfile {
  return {
    name: `flat ${seconds} s`,
    seconds: { running: seconds, boot: 0, token: 0, tools: 0, runner: 0, job: 0 },
  };
}

/**
 * The profile of a configured pool's `image`: `baked` is the stack's image; `al2023`, an AMI id
 * or an SSM parameter is modelled as stock (the bootstrap installs what it does not find).
 */
export function profileOfPoolImage(image: string): StartupProfile {
  return startupProfile(image === 'baked' ? 'baked' : 'stock');
}

/** Seconds of the stages `from` to `to`, both included. */
export function stageSeconds(profile: StartupProfile, from: StartupStageName, to: StartupStageName): number {
  const first = STARTUP_STAGES.indexOf(from);
  const last = STARTUP_STAGES.indexOf(to);
  const sum = STARTUP_STAGES.slice(first, last + 1).reduce(
    (total, stage) => total + profile.seconds[stage],
    0,
  );
  return Math.round(sum * 1000) / 1000;
}

/** Launch requested → job running: the part of a job's wait the instance takes. */
export function launchToJobSeconds(profile: StartupProfile): number {
  return stageSeconds(profile, 'running', 'job');
}

/** Launch requested → runner asking for a job: when an idle-pool instance is ready. */
export function launchToReadySeconds(profile: StartupProfile): number {
  return stageSeconds(profile, 'running', 'runner');
}

/** What the simulated world schedules: launch → token read, then token read → job running. */
export interface SimStartupTimes {
  readonly bootMs: number;
  readonly readyMs: number;
}

/** The profile as the simulated VMs run it (sim/world/vms.ts). */
export function simStartupTimes(profile: StartupProfile): SimStartupTimes {
  return {
    bootMs: Math.round(stageSeconds(profile, 'running', 'token') * 1000),
    readyMs: Math.round(stageSeconds(profile, 'tools', 'job') * 1000),
  };
}

/** The profile's stages as the report shows them; `pools` when only some pools use it. */
export function startupBreakdown(profile: StartupProfile, pools?: readonly string[]): StartupBreakdown {
  return {
    profile: profile.name,
    ...(pools === undefined ? {} : { pools }),
    stages: STARTUP_STAGES.map((stage) => ({
      stage,
      span: STAGE_SPANS[stage],
      seconds: profile.seconds[stage],
    })),
    totalSeconds: launchToJobSeconds(profile),
  };
}
