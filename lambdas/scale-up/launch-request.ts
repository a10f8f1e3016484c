import { createHash } from 'node:crypto';
import type { InstanceRequirements, LaunchOverride, LaunchRequest, Lifecycle } from '../shared/fleet-launch';
import { TagKey } from '../shared/naming';
import { encodeProjectTag } from './project-tag';
import type { RuntimePool } from './runtime-pool';

/** A set of jobs that one CreateFleet call serves: same pool, same shape. */
export interface LaunchGroup {
  readonly key: string;
  readonly pool: RuntimePool;
  /** How the group launches first: spot, or on-demand for retried jobs of a pool that asks so. */
  readonly lifecycle: Lifecycle;
  /** On-demand because the pool's spot interruptions repeated (`spotCoolDown`). */
  readonly coolingDown?: true;
  readonly requirements: InstanceRequirements | undefined;
  readonly jobIds: readonly number[];
  readonly projectIds: readonly number[];
}

/**
 * A ClientToken (≤ 64 ASCII) derived from what is launched and when this launch attempt began: the
 * SDK's retries of one call (a timeout, a dropped connection) reuse it, and EC2 answers them with
 * the instances of the first try instead of launching twice. The attempt time keeps a later,
 * deliberate relaunch of the same jobs (their first instance vanished) from getting the old,
 * terminated instances back. Jobs launch at most once through the job table's claims, not this.
 */
export function clientToken(
  stackName: string,
  group: LaunchGroup,
  lifecycle: Lifecycle,
  count: number,
  attemptAtMs: number,
): string {
  const ids = [...group.jobIds].sort((a, b) => a - b).join(',');
  return createHash('sha256')
    .update(`${stackName}|${group.key}|${lifecycle}|${count}|${ids}|${attemptAtMs}`)
    .digest('hex');
}

/** Overrides across the pool's instance types (or its requirements) × every subnet. */
export function launchOverrides(group: LaunchGroup, subnetIds: readonly string[]): LaunchOverride[] {
  const requirements = group.requirements;
  if (requirements !== undefined)
    return subnetIds.map((subnetId) => ({ subnetId, instanceRequirements: requirements }));
  const types = group.pool.instanceTypes ?? [];
  return types.flatMap((instanceType) => subnetIds.map((subnetId) => ({ subnetId, instanceType })));
}

// EC2 tag values hold at most 256 characters.
const MAX_TAG_VALUE = 256;

/** The CreateFleet request for `count` instances of a group. */
export function launchRequest(
  stackName: string,
  group: LaunchGroup,
  subnetIds: readonly string[],
  lifecycle: Lifecycle,
  count: number,
  attemptAtMs: number,
): LaunchRequest {
  return {
    pool: group.pool.name,
    launchTemplateId: group.pool.launchTemplateId,
    overrides: launchOverrides(group, subnetIds),
    count,
    lifecycle,
    clientToken: clientToken(stackName, group, lifecycle, count, attemptAtMs),
    tags: {
      [TagKey.stack]: stackName,
      [TagKey.pool]: group.pool.name,
      [TagKey.lifecycle]: lifecycle,
      // One call serves many jobs and EC2 gives every instance of a call the same tags; the
      // pairing of instance, job and runner lives in the job table and the runner description.
      [TagKey.jobId]: joinBounded(group.jobIds),
      [TagKey.projectId]: encodeProjectTag(group.projectIds),
      Name: `spotlab-${group.pool.name}`,
    },
  };
}

/** Comma-joined ids, as many as fit in one tag value. */
function joinBounded(ids: readonly number[]): string {
  let joined = '';
  for (const id of ids) {
    const next = joined === '' ? String(id) : `${joined},${id}`;
    if (next.length > MAX_TAG_VALUE) break;
    joined = next;
  }
  return joined;
}
