import { describe, expect, it } from 'vitest';
import { routeJob } from '../../lambdas/scale-up/route-job';
import { POOLS } from './scale-up-world';

const shapes = { cpuPrefix: 'cpu:', memoryGiBPrefix: 'mem:' };

describe('routeJob: job tags to a pool', () => {
  it.each<[string, string[], string]>([
    ['an untagged job to the first pool that runs untagged jobs', [], 'arm-docker'],
    ['a job whose tags the pool covers', ['arm64'], 'arm-docker'],
    ['a job with all of the pool tags', ['spotlab', 'arm64'], 'arm-docker'],
    ['a GPU job to the GPU pool', ['gpu'], 'gpu'],
    ['a GPU job with a shape inside the bounds', ['gpu', 'cpu:8', 'mem:32'], 'gpu'],
  ])('routes %s', (_label, tags, pool) => {
    const route = routeJob(tags, POOLS, shapes);

    expect(route.kind === 'pool' ? route.pool.name : route.reason).toBe(pool);
  });

  it.each<[string, string[], string]>([
    ['a tag no pool has', ['windows'], 'no_pool'],
    ['tags split across pools', ['arm64', 'gpu'], 'no_pool'],
    ['a shape above the pool bounds', ['gpu', 'cpu:64'], 'shape_out_of_bounds'],
    ['a shape in a pool with fixed instance types', ['arm64', 'cpu:8'], 'shape_out_of_bounds'],
  ])('refuses %s', (_label, tags, reason) => {
    const route = routeJob(tags, POOLS, shapes);

    expect(route.kind === 'unroutable' ? route.reason : route.pool.name).toBe(reason);
  });

  it('raises the pool requirements to the shape, keeping the pool maximums', () => {
    const route = routeJob(['gpu', 'cpu:16', 'mem:64'], POOLS, shapes);

    expect(route.kind === 'pool' ? route.requirements : undefined).toMatchObject({
      vCpuCount: { min: 16, max: 32 },
      memoryMiB: { min: 65_536, max: 131_072 },
      acceleratorTypes: ['gpu'],
    });
  });

  it('treats a tag that only looks like a shape (cpu:many) as a plain tag', () => {
    expect(routeJob(['cpu:many'], POOLS, shapes)).toEqual({ kind: 'unroutable', reason: 'no_pool' });
  });
});
