import { describe, expect, it } from 'vitest';
import { scaleUp } from '../../lambdas/scale-up/scale-up';
import type { InterruptionLog } from '../../lambdas/shared/interruptions/port';
import { inMemoryInterruptionLog } from '../../sim/in-memory-interruption-log';
import { demand, POOLS, world } from './scale-up-world';

const lifecycles = (w: ReturnType<typeof world>): string[] =>
  w.ec2
    .running()
    .map((i) => i.lifecycle)
    .sort();

/** A log holding `count` interruptions of arm-docker, `spacingMs` apart, the newest `agoMs` ago. */
async function interrupted(nowMs: number, count: number, spacingMs: number, agoMs = 0) {
  let atMs = 0;
  const log = inMemoryInterruptionLog(() => atMs);
  for (let index = 0; index < count; index += 1) {
    atMs = nowMs - agoMs - index * spacingMs;
    await log.note('arm-docker', `i-0${index}`);
  }
  return log;
}

describe('scale-up: a pool whose spot interruptions repeat cools down on on-demand', () => {
  it('launches on-demand, and says so in a metric, after 3 interruptions within 15 minutes', async () => {
    const w = world();
    w.deps = { ...w.deps, interruptions: await interrupted(w.clock.now(), 3, 4 * 60_000) };
    w.gitlab.addJob(90, 380);

    const retry = await scaleUp([demand(90)], w.deps);

    expect(retry).toEqual([]);
    expect(lifecycles(w)).toEqual(['on-demand']);
    expect(w.observer.events).toContain('cool-down arm-docker 1');
  });

  it('launches spot again once the 30-minute cool-down is over', async () => {
    const w = world();
    w.deps = { ...w.deps, interruptions: await interrupted(w.clock.now(), 3, 60_000, 31 * 60_000) };
    w.gitlab.addJob(91, 380);

    await scaleUp([demand(91)], w.deps);

    expect(lifecycles(w)).toEqual(['spot']);
  });

  it('stays on spot when the interruptions were spread wider than the window', async () => {
    const w = world();
    w.deps = { ...w.deps, interruptions: await interrupted(w.clock.now(), 3, 10 * 60_000) };
    w.gitlab.addJob(92, 380);

    await scaleUp([demand(92)], w.deps);

    expect(lifecycles(w)).toEqual(['spot']);
  });

  it('never cools down a pool configured with minutes: 0', async () => {
    const pools = POOLS.map((pool) => ({ ...pool, spotCoolDown: { ...pool.spotCoolDown, minutes: 0 } }));
    const w = world({ pools });
    w.deps = { ...w.deps, interruptions: await interrupted(w.clock.now(), 5, 60_000) };
    w.gitlab.addJob(93, 380);

    await scaleUp([demand(93)], w.deps);

    expect(lifecycles(w)).toEqual(['spot']);
  });

  it('launches spot, and logs the failure, when the interruption log cannot be read', async () => {
    const broken: InterruptionLog = {
      note: async () => true,
      recent: async () => {
        throw new Error('DynamoDB unavailable');
      },
    };
    const w = world({ interruptions: broken });
    w.gitlab.addJob(94, 380);

    const retry = await scaleUp([demand(94)], w.deps);

    expect(retry).toEqual([]);
    expect(lifecycles(w)).toEqual(['spot']);
    expect(w.observer.events).toContain('failed cool_down -');
  });
});
