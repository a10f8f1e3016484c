import { launchJobOfRunner } from '../shared/gitlab/port';
import type { LifecycleMessage } from '../shared/job-messages';
import type { JobRecord } from '../shared/job-table/record';
import type { Placement } from '../shared/job-table/views';

/**
 * What a hook says about its runner: its id, and the job its description names as the one it
 * was created for (`spotlab job <id>`). Only a claim: whoever registers a runner chooses its
 * description (a project's Maintainer can name one `spotlab job …`), and anyone holding the
 * webhook secret can write the whole hook.
 */
export interface RunnerClaim {
  readonly runnerId: number;
  readonly launchJobId: number;
}

/** What a Job Hook's runner is to Spotlab. */
export type RunnerVerdict =
  /** No runner, or one not described as Spotlab's: nothing of Spotlab's is involved. */
  | { readonly kind: 'not_ours' }
  /** Described as Spotlab's, but no launch record of Spotlab's names that runner. */
  | { readonly kind: 'unrecorded'; readonly claim: RunnerClaim }
  /** A runner a Spotlab launch registered, on the instance that launch recorded. */
  | {
      readonly kind: 'recorded';
      readonly placement: Placement;
      /** The job items that name the runner: where its deletion is recorded. */
      readonly namedBy: readonly number[];
      /** One of them records it deleted already: no cleanup deletes it again. */
      readonly deleted: boolean;
    };

/** The hook's claim about its runner; `undefined` when it names no runner described as Spotlab's. */
export function claimedRunner(message: LifecycleMessage): RunnerClaim | undefined {
  const launchJobId = launchJobOfRunner(message.runnerDescription);
  if (message.runnerId === null || launchJobId === undefined) return undefined;
  return { runnerId: message.runnerId, launchJobId };
}

/**
 * Judges the runner a hook names against what Spotlab recorded, never against its description:
 * the launch record of the job the description names (job id → runner id → instance id), and the
 * job's own item. A runner takes any pending job its tags cover, so the job it runs may be another
 * than the one it was created for; that launch still ties the runner to its instance. The job's
 * own item ties them too when it holds that runner (its launch, or where it was recorded running:
 * recorded only for a runner judged so, and kept when the job launched for that instance is
 * relaunched elsewhere, which overwrites that job's launch record). Only a recorded runner may
 * steer a terminate or a delete.
 * @param launch the item of `claim.launchJobId` (the job's own item when it is that job).
 */
export function judgeRunner(
  claim: RunnerClaim | undefined,
  own: JobRecord | undefined,
  launch: JobRecord | undefined,
): RunnerVerdict {
  if (claim === undefined) return { kind: 'not_ours' };
  const instanceId = launchedInstanceOf(launch, claim.runnerId) ?? placedInstanceOf(own, claim.runnerId);
  if (instanceId === undefined) return { kind: 'unrecorded', claim };
  const records = [own, launch].flatMap((record) => (record === undefined ? [] : [record]));
  return {
    kind: 'recorded',
    placement: { runnerId: claim.runnerId, instanceId },
    namedBy: [...new Set(records.map((record) => record.jobId))],
    deleted: records.some((record) => record.runnersDeleted?.includes(claim.runnerId) === true),
  };
}

/** Whether the claim's launch job must be read besides the job's own item. */
export function launchRecordNeeded(claim: RunnerClaim | undefined, jobId: number): claim is RunnerClaim {
  return claim !== undefined && claim.launchJobId !== jobId;
}

function launchedInstanceOf(record: JobRecord | undefined, runnerId: number): string | undefined {
  return record?.launchRunnerId === runnerId ? record.launchInstanceId : undefined;
}

function placedInstanceOf(record: JobRecord | undefined, runnerId: number): string | undefined {
  return record?.runnerId === runnerId ? record.instanceId : undefined;
}
