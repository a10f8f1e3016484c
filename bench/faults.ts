/**
 * Fault-injection benchmark (issue 4): 1,000 GitLab jobs flow through Spotlab's real decision code
 * (scale-up, the lifecycle consumer's batch entry, the reaper's sweep) over the in-memory EC2,
 * GitLab, SSM and job table of `sim/`, on a simulated clock with a seeded PRNG: no real time, no
 * network, the same figures for the same seed.
 *
 * The world (`sim/world/`): pipelines of 1–8 jobs become pending across 6 projects and 2 pools;
 * each status change sends a Job Hook through the webhook Lambda's parsing and routing onto the
 * demand or lifecycle queue (SQS modelled: batches, 360 s visibility, batchItemFailures, 5
 * receives then DLQ). A VM boots 25 s after CreateFleet, reads and deletes its token, runs ONE
 * job its runner's tags cover (oldest first, any job of its project), deletes its runner and
 * powers off; an idle runner exits after its pool's idle timeout. EC2 state changes and spot
 * warnings go to the lifecycle queue; a job whose runner vanished fails (runner_system_failure)
 * 3 min later; a job pending 1 h fails. The reaper sweeps every minute.
 *
 * Faults: 20% of Job Hooks dropped, 10% delivered twice, 5% delivered 30–240 s late (after later
 * hooks); 10% of jobs reclaimed mid-job on spot (warning, then termination 2 min later); 5% of
 * spot CreateFleet calls short of capacity; 3% of Spotlab's GitLab calls answered 429/5xx.
 * Added since: EventBridge delivers EC2 events (spot warnings, state changes) at least once and
 * retries for 24 h, so 5% arrive twice (the copy 1–60 s later, same event id) and 5% 30–120 s late,
 * none dropped; 2% of the job table calls of scale-up, the lifecycle and the reaper fail throttled
 * (ProvisionedThroughputExceededException, nothing written); 2% of Spotlab's token parameter puts
 * and deletes fail (ThrottlingException); 5% of the VMs' own `DELETE /api/v4/runners` at exit fail,
 * leaving the runner registered (the VM powers off all the same). Each is a rate in `FaultOptions`
 * (`ec2EventDuplicateRate`, `ec2EventDelayRate`, `dynamoThrottleRate`, `ssmThrottleRate`,
 * `runnerSelfDeleteFailRate`; 0 turns it off) and draws from a PRNG stream of its own, so with all
 * five at 0 a seed gives the figures it gave before they existed.
 *
 * Concurrency (`FaultOptions.concurrency`, env `CONCURRENCY`; default 2, the stack's
 * MaximumConcurrency): the scale-up and lifecycle event sources keep up to that many batches of a
 * queue in flight at once, each batch's messages invisible for the visibility timeout meanwhile;
 * every call of a Lambda to EC2, GitLab, SSM, SQS or the job table answers after its latency
 * (`LATENCY_MS` of `sim/virtual-time.ts`, ±50%, `adapterLatency`), so invocations interleave at
 * their awaits; 5% of reaper sweeps start while the previous one still runs (`sweepOverlapRate`),
 * each sweep in an idle execution environment or a new one. Deterministic for a seed all the same.
 * `CONCURRENCY=1` is the model the figures were first measured with (batches one at a time, every
 * call answered at once, no overlapping sweeps): it gives the figures it gave before concurrency
 * was modelled. Not modelled: GitLab's real (longer) stuck-job timeout.
 *
 * Last line: {"jobs", "completedOnce", "lost", "ranTwice", "instancesLeft", "runnersLeft",
 * "tokensLeft"}. Exit code 1 unless every job completed exactly once and nothing is left.
 */
import { pathToFileURL } from 'node:url';
import * as z from 'zod';
import { type FaultFigures, runFaults } from '../sim/world/run';

export { type FaultFigures, runFaults };

/** The targets a run must meet; the names of those it missed. */
export function missedTargets(f: FaultFigures): string[] {
  const targets = [
    [f.completedOnce === f.jobs, `${f.jobs} completed once`],
    [f.lost === 0, '0 lost'],
    [f.ranTwice === 0, '0 ran twice'],
    [f.instancesLeft === 0, '0 instances left'],
    [f.runnersLeft === 0, '0 runners left'],
    [f.tokensLeft === 0, '0 tokens left'],
  ] as const;
  return targets.filter(([met]) => !met).map(([, what]) => what);
}

const envSchema = z.object({
  SEED: z.coerce.number().int().default(20261123),
  CONCURRENCY: z.coerce.number().int().min(1).default(2),
  /** Ready instances per pool while pipelines arrive (warm capacity); 0 scales to zero. */
  WARM: z.coerce.number().int().min(0).max(300).default(0),
});

async function main(): Promise<void> {
  const env = envSchema.parse(process.env);
  const seed = env.SEED;
  const wallStart = performance.now();
  const f = await runFaults({ seed, jobs: 1000, concurrency: env.CONCURRENCY, warmCount: env.WARM });
  const wallMs = performance.now() - wallStart;
  const s = f.stats;
  console.log(`seed ${seed}: ${f.jobs} jobs (${f.gitlabJobs} GitLab jobs with retries)`);
  console.log(`completed once: ${f.completedOnce}, lost: ${f.lost}, ran twice: ${f.ranTwice}`);
  console.log(`lost by last status: ${JSON.stringify(f.lostBy)}`);
  console.log(`left: ${f.instancesLeft} instances, ${f.runnersLeft} runners, ${f.tokensLeft} tokens`);
  console.log(
    `instances launched: ${f.spotInstances + f.onDemandInstances} (spot ${f.spotInstances}, on-demand ${f.onDemandInstances}); CreateFleet answers naming ended instances: ${s.deadInstancesLaunched}`,
  );
  console.log(
    `job hooks: ${s.hooks} (dropped ${s.hooksDropped}, twice ${s.hooksDuplicated}, late ${s.hooksLate}); GitLab faults: ${s.gitlabFaults}; capacity errors: ${s.capacityErrors}`,
  );
  console.log(
    `EC2 events: twice ${s.ec2EventsDuplicated}, late ${s.ec2EventsLate}; throttled: job table ${s.dynamoThrottled}, token parameters ${s.ssmThrottled}; runner self-deletions failed: ${s.runnerSelfDeletesFailed}`,
  );
  console.log(
    `spot interruptions: ${s.interruptions}, retries: ${s.retries}, jobs killed mid-run: ${s.killedMidJob}, stuck 1 h: ${s.stuckFailed}`,
  );
  console.log(
    `reaper: requeued ${s.requeued}, reaped ${s.reaped}; invocations: scale-up ${f.invocations.scaleUp}, lifecycle ${f.invocations.lifecycle}; dead-lettered: ${f.deadLettered}; failures reported: ${s.spotlabFailures}`,
  );
  console.log(
    `Lambda: up to ${env.CONCURRENCY} batches of a queue at once; invocations started while another ran: scale-up ${f.overlappingInvocations.scaleUp}, lifecycle ${f.overlappingInvocations.lifecycle}; sweeps overlapped: ${s.sweepsOverlapped}`,
  );
  console.log(
    `GitLab calls: ${f.gitlabCalls} (${(f.gitlabCalls / f.jobs).toFixed(2)} per job); runners created: ${f.runnersCreated}, DELETE calls: ${f.runnerDeletes} (${(f.runnerDeletes / Math.max(1, f.runnersCreated)).toFixed(2)} per runner)`,
  );
  if (env.WARM > 0)
    console.log(
      `warm capacity: ${env.WARM} per pool; ready instances launched ${s.warmLaunched}, claimed ${s.warmClaimed}`,
    );
  console.log(`simulated: ${(f.simulatedMs / 60_000).toFixed(1)} min; wall time: ${Math.round(wallMs)} ms`);
  const missed = missedTargets(f);
  console.log(missed.length === 0 ? 'targets: all met' : `targets missed: ${missed.join(', ')}`);
  if (missed.length > 0) process.exitCode = 1;
  const { jobs, completedOnce, lost, ranTwice, instancesLeft, runnersLeft, tokensLeft } = f;
  console.log(
    JSON.stringify({ jobs, completedOnce, lost, ranTwice, instancesLeft, runnersLeft, tokensLeft }),
  );
}

// Run only when executed (`tsx bench/faults.ts`), not when a test imports runFaults.
const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) await main();
