import { describe, expect, it } from 'vitest';
import type { WarmSettings } from '../../lambdas/reaper/env';
import { sweep } from '../../lambdas/reaper/sweep';
import { inMemoryWarmLauncher, inMemoryWarmRegistry } from '../../sim/in-memory-warm';
import { MINUTE, POOL, reaperWorld, STACK } from './reaper-world';

const HOUR = 60 * MINUTE;

// The world's clock starts on Monday 2026-11-23 at 10:00 in Berlin: inside the weekday window.
const SETTINGS: WarmSettings = {
  pools: [
    {
      name: POOL,
      launchTemplateId: 'lt-0arm',
      instanceTypes: ['m7g.large'],
      maxInstances: 10,
      maxLifetimeMinutes: 120,
      jobTimeoutMinutes: 60,
      warm: { schedules: [{ cron: '0 8 * * 1-5', timeZone: 'Europe/Berlin', durationHours: 11, count: 2 }] },
    },
  ],
  subnetIds: ['subnet-0a'],
  maxInstances: 100,
};

function warmWorld() {
  const world = reaperWorld();
  const registry = inMemoryWarmRegistry();
  const launches: number[] = [];
  const deps = {
    ...world.deps,
    warm: {
      settings: SETTINGS,
      registry,
      launcher: inMemoryWarmLauncher(world.ec2, STACK),
      fleet: world.deps.fleet,
      stackName: STACK,
      launched: (_pool: string, n: number) => launches.push(n),
    },
  };
  const live = async () => (await world.ec2.live()).map((i) => i.instanceId).sort();
  const ready = async () => [...(await registry.roster(POOL)).ready.keys()].sort();
  return { world, registry, deps, launches, live, ready };
}

describe('reaper sweep: warm capacity', () => {
  it('launches the scheduled count of ready instances and keeps them past the idle timeout', async () => {
    const { world, deps, launches, live, ready } = warmWorld();

    await sweep(deps);
    const first = await live();
    world.clock.advance(HOUR);
    await sweep(deps);

    expect(first).toHaveLength(2);
    expect(await ready()).toEqual(first);
    expect(await live()).toEqual(first);
    expect(launches).toEqual([2]);
  });

  it('replaces a ready instance EC2 took away', async () => {
    const { world, deps, live, ready } = warmWorld();
    await sweep(deps);
    const [gone, kept] = await live();
    world.vanish(gone ?? 'none');

    world.clock.advance(3 * MINUTE);
    await sweep(deps);

    expect(await ready()).toHaveLength(2);
    expect(await ready()).toContain(kept);
    expect(await ready()).not.toContain(gone);
  });

  it('terminates the ready instances once the window has closed', async () => {
    const { world, deps, live, ready } = warmWorld();
    await sweep(deps);

    // 19:01 in Berlin: the window opened at 08:00 for 11 hours. Ready instances are renewed
    // before their lifetime runs out meanwhile; at the close every one goes.
    for (let at = 0; at < 9 * HOUR + MINUTE; at += 10 * MINUTE) {
      world.clock.advance(10 * MINUTE);
      await sweep(deps);
    }

    expect(await live()).toEqual([]);
    expect(await ready()).toEqual([]);
  });

  it('counts a claimed instance idle from its claim, not from its boot', async () => {
    const { world, deps, registry, live } = warmWorld();
    await sweep(deps);
    world.clock.advance(HOUR);
    const [claimed] = await live();
    await registry.claim(POOL, claimed ?? 'none', world.clock.now());

    // Idle bound: 10 minutes plus 5 of boot grace.
    world.clock.advance(14 * MINUTE);
    await sweep(deps);
    const kept = await live();
    world.clock.advance(2 * MINUTE);
    await sweep(deps);

    expect(kept).toContain(claimed);
    expect(await live()).not.toContain(claimed);
    expect(world.observer.events).toContain(`reaped instance_idle ${claimed}`);
  });
});
