import { instanceOfRunner } from '../shared/gitlab/port';
import type { LifecycleMessage } from '../shared/job-messages';
import type { JobRecord, LaunchedRunner } from '../shared/job-table/record';
import type { Placement } from '../shared/job-table/views';

/** What a Job Hook's runner is to Spotlab. */
export type RunnerVerdict =
  /** No runner, or one not described as Spotlab's: nothing of Spotlab's is involved. */
  | { readonly kind: 'not_ours' }
  /** Described as Spotlab's (`spotlab i-…`), but no launch record ties that runner to that instance. */
  | { readonly kind: 'unrecorded'; readonly placement: Placement }
  /** A runner a Spotlab launch registered on that very instance. */
  | { readonly kind: 'recorded'; readonly placement: Placement };

/**
 * Where the hook says the job runs: its runner id, and the instance its description names. Only a
 * claim: whoever registers a runner chooses its description (a project's Maintainer can name one
 * `spotlab i-…`), and anyone holding the webhook secret can write the whole hook.
 */
export function claimedPlacement(message: LifecycleMessage): Placement | undefined {
  const instanceId = instanceOfRunner(message.runnerDescription);
  if (message.runnerId === null || instanceId === undefined) return undefined;
  return { runnerId: message.runnerId, instanceId };
}

/**
 * Whether the launch index must be read to judge `claimed`: the job's own item (read
 * consistently) settles the usual case, a job run by the runner launched for it, or one recorded
 * running there already.
 */
export function launchIndexNeeded(claimed: Placement | undefined, own: JobRecord | undefined): boolean {
  return claimed !== undefined && !ownRecordTies(own, claimed);
}

/**
 * Judges the runner a hook names against what Spotlab recorded: the job's own item, and the
 * launches on the instance the runner's description names. A runner takes any pending job its
 * tags cover, so the job it runs may have been launched for elsewhere; the launch still ties the
 * runner to the instance. The job's own item ties them too when it holds that runner on that
 * instance: its launch, or where it was recorded running (recorded only for a runner judged so, and
 * kept when the job launched for that instance is relaunched elsewhere, which moves its launch on).
 * Only a recorded runner may steer a terminate or a delete.
 * @param launchedOn the launches on `claimed.instanceId` (empty when not read).
 */
export function judgeRunner(
  claimed: Placement | undefined,
  own: JobRecord | undefined,
  launchedOn: readonly LaunchedRunner[],
): RunnerVerdict {
  if (claimed === undefined) return { kind: 'not_ours' };
  const recorded =
    ownRecordTies(own, claimed) || launchedOn.some((launch) => launch.runnerId === claimed.runnerId);
  return { kind: recorded ? 'recorded' : 'unrecorded', placement: claimed };
}

function ownRecordTies(own: JobRecord | undefined, claimed: Placement): boolean {
  if (own === undefined) return false;
  const at = (instanceId: string | undefined, runnerId: number | undefined) =>
    instanceId === claimed.instanceId && runnerId === claimed.runnerId;
  return at(own.launchInstanceId, own.launchRunnerId) || at(own.instanceId, own.runnerId);
}
