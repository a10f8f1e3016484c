import { estimatedSpendPerHour, type PriceList } from '../shared/prices';
import type { FleetInstance } from './ports';

/** The allow-lists of `gitlab.allowedProjects` and `gitlab.allowedNamespaces`, as far as the cap reads them. */
export interface AdmissionLists {
  readonly allowedProjects?: readonly number[];
  readonly allowedNamespaces?: readonly string[];
}

/** Caps that hold across all pools. */
export interface GlobalLimits {
  readonly maxInstances: number;
  readonly maxSpendPerHourUsd: number;
  /** Instances one project may hold across all pools. @default ceil(maxInstances / 2), see {@link projectCap} */
  readonly maxInstancesPerProject?: number;
}

/** Demand of one launch group before limits. */
export interface GroupDemand {
  readonly key: string;
  readonly pool: string;
  readonly poolMaxInstances: number;
  readonly wanted: number;
  /** Price of one new instance; for a type list, its most expensive type (EC2 may pick it). */
  readonly unitPriceUsd: number;
  /** The project of each wanted instance, in order; without it no project cap applies. */
  readonly projectIds?: readonly number[];
}

// A small epsilon keeps float sums (spend, project shares) from refusing what fits exactly.
const EPSILON = 1e-9;

/**
 * The cap per project when `maxInstancesPerProject` is not set: half the global cap (rounded up),
 * because then no one project, however many jobs it queues, can keep every other project from
 * starting a job, while a single busy project still gets most of the fleet. All of it when the
 * allow-list admits exactly one project (`allowedProjects` of one id, no `allowedNamespaces`):
 * there is no other project to keep room for.
 */
export function defaultProjectCap(maxInstances: number, admission: Partial<AdmissionLists> = {}): number {
  const oneProject = admission.allowedProjects?.length === 1 && admission.allowedNamespaces === undefined;
  return oneProject ? maxInstances : Math.ceil(maxInstances / 2);
}

/** The most instances one project may hold: `maxInstancesPerProject`, else {@link defaultProjectCap}. */
export function projectCap(limits: GlobalLimits): number {
  return limits.maxInstancesPerProject ?? defaultProjectCap(limits.maxInstances);
}

/**
 * Which of each group's wanted instances may launch now (their indices, in order): within its
 * pool's cap, the global cap, the hourly spend cap and the cap per project, with what is already
 * live counted first. Groups are served in order; what does not fit waits (its messages are
 * retried later), it is never dropped. A project at its cap does not hold back another project's
 * job behind it.
 */
export function allocateCapacity(
  groups: readonly GroupDemand[],
  live: readonly FleetInstance[],
  limits: GlobalLimits,
  prices: PriceList,
): Map<string, number[]> {
  const perPool = new Map<string, number>();
  const perProject = new Map<number, number>();
  for (const instance of live) {
    perPool.set(instance.pool, (perPool.get(instance.pool) ?? 0) + 1);
    for (const [project, share] of instance.projectShares ?? [])
      perProject.set(project, (perProject.get(project) ?? 0) + share);
  }
  const perProjectCap = projectCap(limits);
  let total = live.length;
  let spend = estimatedSpendPerHour(
    prices,
    live.map((instance) => instance.instanceType),
  );
  const allowed = new Map<string, number[]>();
  for (const group of groups) {
    const room = Math.min(
      group.poolMaxInstances - (perPool.get(group.pool) ?? 0),
      limits.maxInstances - total,
      Math.floor((limits.maxSpendPerHourUsd - spend + EPSILON) / group.unitPriceUsd),
    );
    const indices: number[] = [];
    for (let index = 0; index < group.wanted && indices.length < room; index += 1) {
      const project = group.projectIds?.[index];
      if (project !== undefined) {
        const held = perProject.get(project) ?? 0;
        if (held + 1 > perProjectCap + EPSILON) continue;
        perProject.set(project, held + 1);
      }
      indices.push(index);
    }
    allowed.set(group.key, indices);
    perPool.set(group.pool, (perPool.get(group.pool) ?? 0) + indices.length);
    total += indices.length;
    spend += indices.length * group.unitPriceUsd;
  }
  return allowed;
}
