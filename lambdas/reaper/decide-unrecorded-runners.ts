import { instanceOfRunner, type ListedRunner, PROBE_RUNNER_DESCRIPTION } from '../shared/gitlab/port';
import type { JobItem } from '../shared/job-table/views';
import { GONE_AFTER_SECONDS } from './decide-reaping';

/**
 * EC2 lists a terminated instance for about an hour, then answers its id as unknown. Spotlab
 * creates a runner after its instance launched, so an instance of this account and Region that is
 * unknown while its runner is younger than this is one EC2 does not list yet (DescribeInstances is
 * eventually consistent), or one in another account or Region: a Spotlab stack there may share
 * this GitLab.
 */
export const FORGOTTEN_AFTER_SECONDS = 60 * 60;

/** A runner Spotlab registered (`spotlab i-…`) that no job item awaiting cleanup names. */
export interface UnrecordedRunner {
  readonly runnerId: number;
  readonly instanceId: string;
  readonly online: boolean;
  readonly createdAtMs: number | undefined;
}

/** What becomes of an unrecorded runner, given its instance's EC2 state. */
export type UnrecordedVerdict =
  /** Its instance is gone: delete the runner. */
  | 'delete'
  /** Its instance is pending, running, stopping or stopped, this stack's or another's. */
  | 'live'
  /** Too young to judge: scale-up may be recording its launch, or EC2 not listing it yet. */
  | 'recent'
  /** EC2 does not know its instance, and nothing says it ended here rather than elsewhere. */
  | 'unproven';

/**
 * The runners of `listed` named `spotlab i-…` whose instance no job item still has to clean up.
 * A runner such an item names is the lifecycle consumer's and the sweep's business; one whose
 * items are all cleaned up (or expired) was left behind by a cleanup that deleted another runner
 * of the instance, or by a scale-up rollback whose delete failed, and nothing else will delete it.
 */
export function unrecordedRunners(
  listed: readonly ListedRunner[],
  jobs: readonly JobItem[],
): UnrecordedRunner[] {
  const awaiting = instancesAwaitingCleanup(jobs);
  return listed.flatMap((runner) => {
    const instanceId = instanceOfRunner(runner.description);
    if (instanceId === undefined || awaiting.has(instanceId)) return [];
    return [{ runnerId: runner.id, instanceId, online: runner.online, createdAtMs: runner.createdAtMs }];
  });
}

/**
 * Judges one unrecorded runner by its instance's EC2 state (`undefined`: EC2 does not know the
 * id). Pure. Only an instance EC2 shows ending (`shutting-down`, `terminated`) or has forgotten
 * lets its runner go; any other state, including one this code does not know, keeps it.
 */
export function judgeUnrecorded(
  runner: UnrecordedRunner,
  state: string | undefined,
  nowMs: number,
): UnrecordedVerdict {
  const olderThan = (seconds: number) =>
    runner.createdAtMs !== undefined && nowMs - runner.createdAtMs > seconds * 1000;
  if (state === 'shutting-down' || state === 'terminated')
    // Without `created_at` (older GitLab) the ended instance alone decides: scale-up creates
    // a runner only for an instance it just launched, so a runner of an ended one serves no one.
    return runner.createdAtMs === undefined || olderThan(GONE_AFTER_SECONDS) ? 'delete' : 'recent';
  if (state !== undefined) return 'live';
  // Unknown to EC2: gone only when the runner is old enough that its instance, had it ended here,
  // would have dropped out of DescribeInstances, and GitLab has not heard from it lately (a
  // runner polling GitLab runs somewhere: another Region's or account's stack).
  if (runner.createdAtMs === undefined || runner.online) return 'unproven';
  return olderThan(FORGOTTEN_AFTER_SECONDS) ? 'delete' : 'recent';
}

/**
 * The instances some job item still has to clean up: where its job ran (or was launched) until
 * the item is marked cleaned up, and its launch record's instance until that is marked too.
 */
function instancesAwaitingCleanup(jobs: readonly JobItem[]): Set<string> {
  const awaiting = new Set<string>();
  for (const job of jobs) {
    if (job.instanceId !== undefined && !job.cleanedUp) awaiting.add(job.instanceId);
    const launch = job.launchInstanceId;
    // One instance for both: the item's own cleanup covered the launch's runner too.
    const coveredByItem = launch === job.instanceId && job.cleanedUp;
    if (launch !== undefined && job.launchCleanedUp !== true && !coveredByItem) awaiting.add(launch);
  }
  return awaiting;
}

/**
 * Scale-up's probe runners still registered: each lives for one create and one delete, so one
 * older than this lost its delete (GitLab 429/5xx, a Lambda that timed out). It never takes a job
 * (a tag no pool uses, no untagged jobs), so deleting it early costs nothing either.
 */
export const PROBE_STALE_AFTER_SECONDS = 5 * 60;

/** The ids of probe runners to delete (see {@link PROBE_STALE_AFTER_SECONDS}); pure. */
export function staleProbes(listed: readonly ListedRunner[], nowMs: number): number[] {
  return listed
    .filter((runner) => runner.description === PROBE_RUNNER_DESCRIPTION)
    .filter(
      // Without `created_at` (older GitLab) age is unknown; a probe is useless at any age.
      (runner) =>
        runner.createdAtMs === undefined || nowMs - runner.createdAtMs > PROBE_STALE_AFTER_SECONDS * 1000,
    )
    .map((runner) => runner.id);
}
