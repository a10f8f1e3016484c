import { type ListedRunner, launchJobOfRunner } from '../shared/gitlab/port';
import type { JobItem } from '../shared/job-table/views';

/**
 * How long a runner Spotlab created may go unnamed by any open job item before it counts as left
 * behind. Scale-up creates a runner, launches its instance and records the launch within one
 * invocation (a minute at most); a runner it could not record and whose delete failed (GitLab
 * 429/5xx during a rollback) is never named. Longer than that, far shorter than GitLab's 7-day
 * runner count.
 */
export const UNRECORDED_AFTER_SECONDS = 10 * 60;

/** A runner described as Spotlab's (`spotlab job <id>`) that no job item awaiting cleanup names. */
export interface UnrecordedRunner {
  readonly runnerId: number;
  /** The job its description names (a claim: anyone may describe a runner so). */
  readonly launchJobId: number;
  readonly online: boolean;
  readonly createdAtMs: number | undefined;
}

/** What becomes of an unrecorded runner. */
export type UnrecordedVerdict =
  /** Offline and older than {@link UNRECORDED_AFTER_SECONDS}: delete the runner. */
  | 'delete'
  /** GitLab heard from it lately: it runs somewhere (another Region's or account's stack). */
  | 'live'
  /** Too young to judge: scale-up may be recording its launch. */
  | 'recent'
  /** GitLab does not say when it was created (older GitLab): nothing proves it left behind. */
  | 'unproven';

/**
 * The runners of `listed` described `spotlab job <id>` whose id no job item still has to clean
 * up. The job table ties runners to instances (job id → runner id → instance id), so a runner
 * such an item names is the lifecycle consumer's and the sweep's business; one no open item names
 * was left behind by a scale-up rollback whose delete failed, or by a cleanup that deleted another
 * runner of its instance, and nothing else will delete it.
 */
export function unrecordedRunners(
  listed: readonly ListedRunner[],
  jobs: readonly JobItem[],
): UnrecordedRunner[] {
  const awaiting = runnersAwaitingCleanup(jobs);
  return listed.flatMap((runner) => {
    const launchJobId = launchJobOfRunner(runner.description);
    if (launchJobId === undefined || awaiting.has(runner.id)) return [];
    return [{ runnerId: runner.id, launchJobId, online: runner.online, createdAtMs: runner.createdAtMs }];
  });
}

/**
 * Judges one unrecorded runner. Pure. A Spotlab runner gets its token to an instance only
 * together with the launch record that names it, so an unnamed one never ran anything here: once
 * it is old enough that scale-up is done with it, and GitLab has not heard from it lately (a
 * runner that polls GitLab runs somewhere: another Region's or account's stack sharing this
 * GitLab), it goes.
 */
export function judgeUnrecorded(runner: UnrecordedRunner, nowMs: number): UnrecordedVerdict {
  if (runner.online) return 'live';
  if (runner.createdAtMs === undefined) return 'unproven';
  return nowMs - runner.createdAtMs > UNRECORDED_AFTER_SECONDS * 1000 ? 'delete' : 'recent';
}

/**
 * The runners some job item still has to clean up: the one its job runs on (or was launched
 * with) until the item is marked cleaned up, and its launch record's until that is marked too.
 */
function runnersAwaitingCleanup(jobs: readonly JobItem[]): Set<number> {
  const awaiting = new Set<number>();
  for (const job of jobs) {
    if (job.runnerId !== undefined && job.instanceId !== undefined && !job.cleanedUp)
      awaiting.add(job.runnerId);
    const launch = job.launchRunnerId;
    // One instance for both: the item's own cleanup covered the launch's runner too.
    const coveredByItem = job.launchInstanceId === job.instanceId && job.cleanedUp;
    if (launch !== undefined && job.launchCleanedUp !== true && !coveredByItem) awaiting.add(launch);
  }
  return awaiting;
}
