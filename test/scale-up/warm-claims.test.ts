import { describe, expect, it } from 'vitest';
import type { FleetInstance, LaunchResult, ScaleUpFleet } from '../../lambdas/scale-up/ports';
import { type WarmClaimObserver, withWarmClaims } from '../../lambdas/scale-up/warm-claims';
import type { LaunchRequest } from '../../lambdas/shared/fleet-launch';
import { inMemoryWarmRegistry } from '../../sim/in-memory-warm';

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
    live: async () => live,
  };
  return { fleet, requests };
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
  return { fleet, registry, requests: inner.requests, claims };
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
});
