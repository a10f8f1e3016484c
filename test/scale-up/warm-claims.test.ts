import { describe, expect, it } from 'vitest';
import { allocateCapacity } from '../../lambdas/scale-up/capacity';
import type { FleetInstance, LaunchResult, ScaleUpFleet } from '../../lambdas/scale-up/ports';
import { type WarmClaimObserver, withWarmClaims } from '../../lambdas/scale-up/warm-claims';
import type { LaunchRequest } from '../../lambdas/shared/fleet-launch';
import { InMemoryEc2 } from '../../sim/in-memory-ec2';
import { inMemoryWarmRegistry } from '../../sim/in-memory-warm';

const PRICES = { usdPerHour: {}, defaultUsdPerHour: 0.1 };

const T0 = Date.UTC(2026, 10, 23, 9, 0, 0);

const instance = (instanceId: string, pool = 'arm64', instanceType = 'm7g.large'): FleetInstance => ({
  instanceId,
  pool,
  instanceType,
  lifecycle: 'spot',
});

const request = (count: number, overrides: Partial<LaunchRequest> = {}): LaunchRequest => ({
  pool: 'arm64',
  launchTemplateId: 'lt-0123456789abcdef0',
  overrides: [{ subnetId: 'subnet-0a1', instanceType: 'm7g.large' }],
  count,
  lifecycle: 'spot',
  clientToken: 'token',
  tags: {},
  ...overrides,
});

/** A fleet with `live` instances that launches `i-new<n>` instances and records each request. */
function fakeFleet(live: FleetInstance[]) {
  const requests: LaunchRequest[] = [];
  const tagged: [string[], string][] = [];
  let launched = 0;
  const fleet: ScaleUpFleet = {
    async launch(r): Promise<LaunchResult> {
      requests.push(r);
      const instances = Array.from({ length: r.count }, (_, index) => ({
        instanceId: `i-new${launched + index + 1}`,
        instanceType: 'm7g.large',
        lifecycle: r.lifecycle,
      }));
      launched += r.count;
      return { instances, errors: [] };
    },
    terminate: async () => undefined,
    tagProjects: async (ids, tag) => {
      tagged.push([[...ids], tag]);
    },
    live: async () => live,
  };
  return { fleet, requests, tagged };
}

function arrange(live: FleetInstance[], ready: string[]) {
  const registry = inMemoryWarmRegistry();
  void registry.addReady('arm64', ready, T0);
  const claims: [string, number][] = [];
  const observer: WarmClaimObserver = {
    claimed: (pool, n) => claims.push([pool, n]),
    failed: (error) => {
      throw error;
    },
  };
  const inner = fakeFleet(live);
  const fleet = withWarmClaims(inner.fleet, {
    registry,
    warmPools: new Set(['arm64']),
    observer,
    now: () => T0 + 60_000,
  });
  return { fleet, registry, requests: inner.requests, tagged: inner.tagged, claims };
}

describe('warm claims around the scale-up fleet', () => {
  it('leaves ready instances out of the live count, so the caps see them as room', async () => {
    const { fleet } = arrange([instance('i-ready1'), instance('i-busy')], ['i-ready1']);

    expect((await fleet.live()).map((i) => i.instanceId)).toEqual(['i-busy']);
  });

  it('answers a launch with ready instances first and launches only the rest', async () => {
    const { fleet, registry, requests, claims } = arrange(
      [instance('i-ready1'), instance('i-ready2')],
      ['i-ready1', 'i-ready2'],
    );
    await fleet.live();

    const result = await fleet.launch(request(3));

    expect(result.instances.map((i) => i.instanceId)).toEqual(['i-ready1', 'i-ready2', 'i-new1']);
    expect(requests.map((r) => r.count)).toEqual([1]);
    expect(claims).toEqual([['arm64', 2]]);
    expect((await registry.roster('arm64')).claimed.get('i-ready1')).toBe(T0 + 60_000);
  });

  it('makes no CreateFleet call when ready instances cover the request', async () => {
    const { fleet, requests } = arrange(
      [instance('i-ready1'), instance('i-ready2')],
      ['i-ready1', 'i-ready2'],
    );
    await fleet.live();

    const result = await fleet.launch(request(1));

    expect(result.instances.map((i) => i.instanceId)).toEqual(['i-ready1']);
    expect(requests).toEqual([]);
  });

  it('never hands the same ready instance to two launches', async () => {
    const { fleet } = arrange([instance('i-ready1')], ['i-ready1']);
    await fleet.live();

    const [first, second] = await Promise.all([fleet.launch(request(1)), fleet.launch(request(1))]);

    const ids = [...(first?.instances ?? []), ...(second?.instances ?? [])].map((i) => i.instanceId);
    expect(ids.sort()).toEqual(['i-new1', 'i-ready1']);
  });

  it.each<[string, LaunchRequest]>([
    ['an on-demand request', request(1, { lifecycle: 'on-demand' })],
    ['another pool', request(1, { pool: 'x86' })],
    [
      'other instance types',
      request(1, { overrides: [{ subnetId: 'subnet-0a1', instanceType: 'c7g.xlarge' }] }),
    ],
  ])('claims nothing for %s', async (_case, asked) => {
    const { fleet, requests } = arrange([instance('i-ready1')], ['i-ready1']);
    await fleet.live();

    const result = await fleet.launch(asked);

    expect(result.instances.map((i) => i.instanceId)).toEqual(['i-new1']);
    expect(requests).toHaveLength(1);
  });

  it('skips a registered ready instance EC2 no longer runs', async () => {
    const { fleet } = arrange([instance('i-ready2')], ['i-ready1', 'i-ready2']);
    await fleet.live();

    const result = await fleet.launch(request(2));

    expect(result.instances.map((i) => i.instanceId)).toEqual(['i-ready2', 'i-new1']);
  });

  it('keeps the claimed instances when the launch for the rest fails', async () => {
    const registry = inMemoryWarmRegistry();
    await registry.addReady('arm64', ['i-ready1'], T0);
    const failing = withWarmClaims(
      {
        launch: async () => {
          throw new Error('RequestLimitExceeded');
        },
        terminate: async () => undefined,
        tagProjects: async () => undefined,
        live: async () => [instance('i-ready1')],
      },
      {
        registry,
        warmPools: new Set(['arm64']),
        observer: { claimed: () => undefined, failed: () => undefined },
        now: () => T0,
      },
    );
    await failing.live();

    const result = await failing.launch(request(2));

    expect(result.instances.map((i) => i.instanceId)).toEqual(['i-ready1']);
    expect(result.errors).toHaveLength(1);
  });

  it('tags claimed instances with the launch’s project tag, which the reaper launched them without', async () => {
    const { fleet, tagged, requests } = arrange(
      [instance('i-ready1'), instance('i-ready2')],
      ['i-ready1', 'i-ready2'],
    );
    await fleet.live();

    await fleet.launch(request(3, { tags: { 'spotlab:project-id': '380:2,412' } }));

    expect(tagged).toEqual([[['i-ready1', 'i-ready2'], '380:2,412']]);
    // The instance launched for the rest carries the tag from birth, as every launch does.
    expect(requests[0]?.tags['spotlab:project-id']).toBe('380:2,412');
  });

  it('still hands claimed instances to their jobs when tagging them fails, and reports it', async () => {
    const registry = inMemoryWarmRegistry();
    await registry.addReady('arm64', ['i-ready1'], T0);
    const failures: unknown[] = [];
    const fleet = withWarmClaims(
      {
        launch: async () => ({ instances: [], errors: [] }),
        terminate: async () => undefined,
        tagProjects: async () => {
          throw new Error('RequestLimitExceeded');
        },
        live: async () => [instance('i-ready1')],
      },
      {
        registry,
        warmPools: new Set(['arm64']),
        observer: { claimed: () => undefined, failed: (error) => failures.push(error) },
        now: () => T0,
      },
    );
    await fleet.live();

    const result = await fleet.launch(request(1, { tags: { 'spotlab:project-id': '380' } }));

    expect(result.instances.map((i) => i.instanceId)).toEqual(['i-ready1']);
    expect(failures).toHaveLength(1);
  });
});

describe('warm claims and the per-project cap', () => {
  it('counts a claimed ready instance towards its project in the next batch, as a launched one', async () => {
    const ec2 = new InMemoryEc2({ now: () => T0 });
    const registry = inMemoryWarmRegistry();
    // The reaper's ready instances: launched with no project tag.
    const ready = await ec2.launch(
      request(2, { clientToken: 'keep-warm', tags: { 'spotlab:pool': 'arm64' } }),
    );
    const readyIds = ready.instances.map((i) => i.instanceId);
    await registry.addReady('arm64', readyIds, T0);
    const fleet = withWarmClaims(ec2, {
      registry,
      warmPools: new Set(['arm64']),
      observer: { claimed: () => undefined, failed: (error) => expect.fail(String(error)) },
      now: () => T0,
    });
    await fleet.live();

    await fleet.launch(request(2, { clientToken: 'jobs', tags: { 'spotlab:project-id': '380:2' } }));
    const live = await fleet.live();
    const limits = { maxInstances: 10, maxSpendPerHourUsd: 100, maxInstancesPerProject: 2 };
    const next = { key: 'g', pool: 'arm64', poolMaxInstances: 10, wanted: 1, unitPriceUsd: 0.1 };

    expect(live.map((i) => [...(i.projectShares ?? [])])).toEqual([[[380, 1]], [[380, 1]]]);
    expect(allocateCapacity([{ ...next, projectIds: [380] }], live, limits, PRICES).get('g')).toEqual([]);
    expect(allocateCapacity([{ ...next, projectIds: [412] }], live, limits, PRICES).get('g')).toEqual([0]);
  });
});
