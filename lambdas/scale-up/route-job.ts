import type { InstanceRequirements } from '../shared/fleet-launch';
import type { RuntimePool } from './runtime-pool';

/** Tag prefixes by which a job asks for a machine shape (`cpu:8`, `mem:16`). */
export interface ShapeTags {
  readonly cpuPrefix: string;
  readonly memoryGiBPrefix: string;
}

/** A job's destination: a pool, and the shape asked for, if any. */
export type Route =
  | {
      readonly kind: 'pool';
      readonly pool: RuntimePool;
      /** Shape tags the runner must carry too, or GitLab would not give it the job. */
      readonly shapeTags: readonly string[];
      readonly requirements: InstanceRequirements | undefined;
    }
  | { readonly kind: 'unroutable'; readonly reason: 'no_pool' | 'shape_out_of_bounds' };

interface Shape {
  readonly vCpu?: number;
  readonly memoryGiB?: number;
  readonly tags: readonly string[];
}

/**
 * Routes a job by its tags. GitLab gives a job to a runner whose tags include all of the job's,
 * so the first pool whose tags cover the job's (shape tags aside) serves it; an untagged job goes
 * only to a pool that runs untagged jobs. Shape tags need a pool with instance requirements whose
 * bounds admit the shape.
 */
export function routeJob(
  jobTags: readonly string[],
  pools: readonly RuntimePool[],
  shapeTags: ShapeTags,
): Route {
  const shape = readShape(jobTags, shapeTags);
  const plainTags = jobTags.filter((tag) => !shape.tags.includes(tag));
  let outOfBounds = false;
  for (const pool of pools) {
    const covers =
      plainTags.length === 0 && shape.tags.length === 0
        ? pool.runUntagged
        : plainTags.every((t) => pool.tags.includes(t));
    if (!covers) continue;
    if (shape.tags.length === 0)
      return { kind: 'pool', pool, shapeTags: [], requirements: pool.instanceRequirements };
    const requirements = narrow(pool, shape);
    if (requirements !== undefined) return { kind: 'pool', pool, shapeTags: shape.tags, requirements };
    outOfBounds = true;
  }
  return { kind: 'unroutable', reason: outOfBounds ? 'shape_out_of_bounds' : 'no_pool' };
}

function readShape(jobTags: readonly string[], prefixes: ShapeTags): Shape {
  const number = (prefix: string): { value?: number; tag?: string } => {
    const tag = jobTags.find((t) => t.startsWith(prefix) && /^\d{1,4}$/.test(t.slice(prefix.length)));
    return tag === undefined ? {} : { value: Number(tag.slice(prefix.length)), tag };
  };
  const cpu = number(prefixes.cpuPrefix);
  const memory = number(prefixes.memoryGiBPrefix);
  return {
    vCpu: cpu.value,
    memoryGiB: memory.value,
    tags: [cpu.tag, memory.tag].filter((tag): tag is string => tag !== undefined),
  };
}

/** The pool's requirements raised to the shape's minimums, or undefined when they do not fit. */
function narrow(pool: RuntimePool, shape: Shape): InstanceRequirements | undefined {
  const bounds = pool.instanceRequirements;
  if (bounds === undefined) return undefined;
  const vCpuMin = Math.max(bounds.vCpuCount.min, shape.vCpu ?? 0);
  const memoryMin = Math.max(bounds.memoryMiB.min, (shape.memoryGiB ?? 0) * 1024);
  if (bounds.vCpuCount.max !== undefined && vCpuMin > bounds.vCpuCount.max) return undefined;
  if (bounds.memoryMiB.max !== undefined && memoryMin > bounds.memoryMiB.max) return undefined;
  return {
    ...bounds,
    vCpuCount: { ...bounds.vCpuCount, min: vCpuMin },
    memoryMiB: { ...bounds.memoryMiB, min: memoryMin },
  };
}
