/**
 * What `npm run bench:scale-up` prints. Without arguments: the 500-job burst and its figures, the
 * last line unchanged since it was first measured. With `--jobs N`: a burst of N with the caps
 * raised to it, so only EC2's buckets bound it, reported against the instance-launch bucket's
 * physical limit (1,000 at once, then 2 a second).
 */
import { pathToFileURL } from 'node:url';
import * as z from 'zod';
import { EC2_LAUNCH_RATE } from '../lambdas/scale-up/launch-pacing';
import { BURST_SHAPE, type BurstFigures, runBurst } from './burst';
import { runRegions } from './regions';

export { type BurstFigures, type BurstOptions, runBurst } from './burst';

const count = z.coerce.number().int().positive();
const argsSchema = z.union([
  z.tuple([]),
  z.tuple([z.literal('--jobs'), count]),
  z.tuple([z.literal('--jobs'), count, z.literal('--regions'), count.max(20)]),
]);

/** The shortest time (ms) EC2's instance-launch bucket allows for launching `jobs` instances. */
export function launchBucketLimitMs(jobs: number): number {
  return (Math.max(0, jobs - EC2_LAUNCH_RATE.burst) / EC2_LAUNCH_RATE.perSecond) * 1000;
}

/**
 * Runs the benchmark for `argv` (`[]`, `['--jobs', N]` or `['--jobs', N, '--regions', R]`) and
 * prints its figures.
 */
export async function main(argv: readonly string[]): Promise<void> {
  const parsed = argsSchema.safeParse(argv);
  if (!parsed.success) {
    console.error('usage: npm run bench:scale-up [-- --jobs N [--regions R]]');
    process.exitCode = 2;
    return;
  }
  const jobs = parsed.data[1];
  const regions = parsed.data[3];
  if (jobs !== undefined && regions !== undefined && regions > 1) {
    // One stack per Region: each has its own launch bucket; GitLab's budget is shared.
    console.log(JSON.stringify(await runRegions(jobs, regions)));
    return;
  }
  const wallStart = performance.now();
  const f = jobs === undefined ? await runBurst(500) : await runBurst(jobs, { capsRaised: true });
  printHuman(f, performance.now() - wallStart);
  const limitMs = launchBucketLimitMs(f.jobs);
  const targets = [
    [f.ec2MutatingCallsPerJob <= 0.1, 'EC2 mutating calls per job ≤ 0.1'],
    [jobs !== undefined || f.throttled === 0, '0 throttled'],
    [f.gitlabCallsPerJob <= (jobs === undefined ? 3 : 2.5), 'GitLab calls per job within target'],
    [jobs === undefined || f.jobsLaunchedOnce === f.jobs, 'every job launched once'],
    [
      jobs === undefined || f.launchSpanMs <= Math.max(limitMs * 1.1, 60_000),
      'last launch within 10% of the bucket',
    ],
  ] as const;
  const missed = targets.filter(([met]) => !met).map(([, what]) => what);
  console.log(missed.length === 0 ? 'targets: all met' : `targets missed: ${missed.join(', ')}`);
  if (missed.length > 0) process.exitCode = 1;
  if (jobs === undefined) {
    console.log(
      JSON.stringify({
        jobs: f.jobs,
        ec2MutatingCallsPerJob: f.ec2MutatingCallsPerJob,
        throttled: f.throttled,
        gitlabCallsPerJob: f.gitlabCallsPerJob,
        launchSpanMs: f.launchSpanMs,
      }),
    );
    return;
  }
  const s = (ms: number) => Math.round(ms / 1000);
  console.log(
    JSON.stringify({
      jobs: f.jobs,
      launchedOnce: f.jobsLaunchedOnce,
      lost: f.lostMessages,
      expired: f.expired,
      atRisk: f.atRisk,
      ec2MutatingCallsPerJob: f.ec2MutatingCallsPerJob,
      throttled: f.throttled,
      gitlabCallsPerJob: f.gitlabCallsPerJob,
      lastLaunchS: s(f.launchSpanMs),
      bucketLimitS: s(limitMs),
      webhookToLaunchP50S: s(f.webhookToLaunchP50Ms),
      webhookToLaunchMaxS: s(f.webhookToLaunchMaxMs),
      deferrals: f.deferrals,
      invocations: f.invocations,
    }),
  );
}

function printHuman(f: BurstFigures, wallMs: number): void {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.log(
    `jobs: ${f.jobs} pending across ${BURST_SHAPE.projects} projects, ${BURST_SHAPE.pools} pools, ${f.invocations} invocations`,
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
  if (f.deferrals > 0)
    console.log(
      `deferred (re-sent with a delay): ${f.deferrals}; past GitLab's hour: ${f.atRisk}; expired: ${f.expired}`,
    );
  console.log(
    `simulated launch span: ${seconds(f.launchSpanMs)} to the last CreateFleet request, ${seconds(f.readySpanMs)} to the last runner token; webhook→launch request p50 ${seconds(f.webhookToLaunchP50Ms)}, max ${seconds(f.webhookToLaunchMaxMs)}`,
  );
  console.log(`wall time: ${Math.round(wallMs)} ms`);
}

// Run only when executed (`tsx bench/scale-up.ts`), not when a test imports runBurst.
const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) await main(process.argv.slice(2));
