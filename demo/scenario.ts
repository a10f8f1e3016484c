import { DEFAULT_PARAMETERS } from '../planner/defaults';
import { Prng } from '../planner/prng';
import { simStartupTimes } from '../planner/startup-profile';
import { POOLS, PROJECTS, type Scenario, type ScenarioJob, TIMES } from '../sim/world/scenario';

/** The bundled burst's size and pace. */
export interface BurstOptions {
  readonly seed: number;
  /** Pipelines started. @default 30 */
  readonly pipelines?: number;
  /** Minutes over which they start. @default 20 */
  readonly spreadMinutes?: number;
}

/** The seed `npm run demo` uses: the same report every time. */
export const DEMO_SEED = 20261123;

/**
 * One stage of the sample pipeline: how many jobs, which `tags:`, how long each runs (minutes),
 * and when its jobs become pending after the pipeline starts. GitLab queues a stage when the one
 * before it passed; fixed offsets stand in for that, long enough for the stage before to end.
 */
interface Stage {
  readonly jobs: readonly [number, number];
  readonly tags: readonly (readonly string[])[];
  readonly minutes: readonly [number, number];
  readonly afterMinutes: number;
}

// A monorepo's merge-request pipeline: lint and builds for both architectures, a fan-out of test
// shards (mostly on the cheaper arm64 pool), then integration tests on x86 and a packaging job.
const PIPELINE: readonly Stage[] = [
  { jobs: [1, 2], tags: [[], ['docker']], minutes: [1, 3], afterMinutes: 0 },
  {
    jobs: [2, 2],
    tags: [
      ['docker', 'arm64'],
      ['docker', 'x86_64'],
    ],
    minutes: [3, 7],
    afterMinutes: 0,
  },
  { jobs: [3, 8], tags: [['docker'], ['linux', 'arm64'], ['x86_64']], minutes: [2, 9], afterMinutes: 8 },
  { jobs: [0, 2], tags: [['docker', 'x86_64']], minutes: [4, 12], afterMinutes: 18 },
  { jobs: [1, 1], tags: [[]], minutes: [1, 2], afterMinutes: 31 },
];

/** Test-shard jobs whose spot instance EC2 reclaims mid-job (about 2 in 100). */
const INTERRUPT_RATE = 0.02;

/**
 * The demo's sample burst: a team's morning, 30 merge-request pipelines started over 20 minutes
 * in the six demo projects, a few hundred jobs across both pools. Start-up is the simulator's
 * default profile, stock Amazon Linux 2023 (`planner/defaults.ts`); a few spot instances are reclaimed mid-job, one spot
 * CreateFleet call falls short of capacity (the arm64 pool then falls back to on-demand), and a
 * few Job Hooks arrive twice or late, as they do from GitLab.
 */
export function demoScenario(options: BurstOptions): Scenario {
  const rng = new Prng(options.seed);
  const pipelines = options.pipelines ?? 30;
  const spreadMs = (options.spreadMinutes ?? 20) * 60_000;
  const jobs: ScenarioJob[] = [];
  for (let p = 0; p < pipelines; p += 1) {
    const startMs = Math.floor(rng.next() * spreadMs);
    const projectId = rng.pick(PROJECTS);
    for (const stage of PIPELINE) {
      const count = rng.int(stage.jobs[0], stage.jobs[1]);
      for (let n = 0; n < count; n += 1)
        jobs.push({
          atMs: startMs + stage.afterMinutes * 60_000,
          projectId,
          tags: rng.pick(stage.tags),
          workMs: rng.int(stage.minutes[0] * 60_000, stage.minutes[1] * 60_000),
          interrupt: rng.chance(INTERRUPT_RATE),
        });
    }
  }
  return {
    seed: options.seed,
    pools: POOLS,
    times: { ...TIMES, ...simStartupTimes(DEFAULT_PARAMETERS.startup) },
    faults: { dropRate: 0, duplicateRate: 0.03, reorderRate: 0.01, capacityErrorRate: 0, gitlabFaultRate: 0 },
    capacityErrors: [{ pool: 'arm64-docker', nth: 4 }],
    jobs,
  };
}
