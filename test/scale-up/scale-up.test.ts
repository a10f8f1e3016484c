import { describe, expect, it } from 'vitest';
import { scaleUp } from '../../lambdas/scale-up/scale-up';
import { TagKey } from '../../lambdas/shared/naming';
import { sqsRecord } from '../../sim/sqs-event-source';
import { demand, POOLS, world } from './scale-up-world';

/** How the world's running instances were bought, sorted: `on-demand` before `spot`. */
const lifecycles = (w: ReturnType<typeof world>): string[] =>
  w.ec2
    .running()
    .map((i) => i.lifecycle)
    .sort();

describe('scale-up: a pending job becomes one instance with its own runner', () => {
  it('creates a locked project runner named after the job, launches one spot instance and stores the token under its id', async () => {
    const w = world();
    w.gitlab.addJob(1977, 380, ['spotlab', 'arm64']);

    const retry = await scaleUp([demand(1977)], w.deps);

    expect(retry).toEqual([]);
    const [instance] = w.ec2.running();
    expect(instance).toMatchObject({ pool: 'arm-docker', lifecycle: 'spot' });
    expect(instance?.tags).toMatchObject({
      [TagKey.stack]: 'Spotlab',
      [TagKey.pool]: 'arm-docker',
      [TagKey.jobId]: '1977',
      [TagKey.projectId]: '380',
    });
    const [runner] = [...w.gitlab.runners.values()];
    expect(runner).toMatchObject({
      scope: { type: 'project' },
      projectId: 380,
      tags: ['spotlab', 'arm64'],
      runUntagged: true,
      maximumTimeoutSeconds: 3600,
      description: 'spotlab job 1977',
    });
    expect(w.tokens.tokens.get(instance?.instanceId ?? '')).toBe(runner?.token);
    expect(w.ledger.items.get(1977)).toMatchObject({
      state: 'launched',
      launch: { instanceId: instance?.instanceId, runnerId: runner?.id },
    });
  });

  it('serves a whole batch of one pool with a single CreateFleet call', async () => {
    const w = world();
    const ids = [1, 2, 3, 4, 5, 6];
    for (const id of ids) w.gitlab.addJob(id, 380, ['arm64']);

    await scaleUp(
      ids.map((id) => demand(id)),
      w.deps,
    );

    expect(w.ec2.calls.createFleet).toBe(1);
    expect(w.ec2.running()).toHaveLength(6);
    expect(w.gitlab.runners.size).toBe(6);
    // One job read and one runner each, nothing deleted.
    expect(w.gitlab.calls.getJob + w.gitlab.calls.createRunner).toBe(6 + 6);
    expect(w.gitlab.calls.deleteRunner).toBe(0);
  });

  it('registers group runners when the scope is a group', async () => {
    const w = world({ scope: { type: 'group', groupId: 42 } });
    w.gitlab.addGroup(42, 'acme');
    w.gitlab.addProject(380, 'acme/platform/gitlab-test');
    w.gitlab.addJob(7, 380);

    await scaleUp([demand(7)], w.deps);

    expect([...w.gitlab.runners.values()][0]?.scope).toEqual({ type: 'group', groupId: 42 });
  });
});

describe('scale-up: exactly once, whatever the delivery', () => {
  it('launches once for a job whose pending event arrives twice in one batch', async () => {
    const w = world();
    w.gitlab.addJob(10, 380);

    const { readDemandRecords } = await import('../../lambdas/scale-up/read-records');
    const record = (id: string) => sqsRecord(id, JSON.stringify(demand(10).demand));
    const demands = readDemandRecords([record('a'), record('b')], w.deps.observer);
    await scaleUp(demands, w.deps);

    expect(w.ec2.running()).toHaveLength(1);
    expect(w.observer.events).toContain('skipped 10 duplicate_in_batch');
  });

  it('launches once for a job redelivered in a later batch', async () => {
    const w = world();
    w.gitlab.addJob(11, 380);

    await scaleUp([demand(11)], w.deps);
    await scaleUp([demand(11)], w.deps);

    expect(w.ec2.running()).toHaveLength(1);
    expect(w.gitlab.calls.getJob).toBe(1);
    expect(w.observer.events).toContain('skipped 11 already_claimed');
  });

  it('launches nothing when the job already moved on (running recorded before pending arrived)', async () => {
    const w = world();
    w.gitlab.addJob(12, 380);
    w.ledger.items.set(12, { state: 'running', projectId: 380, claimedAt: 0, expiresAt: 0 });

    const retry = await scaleUp([demand(12)], w.deps);

    expect(retry).toEqual([]);
    expect(w.ec2.running()).toHaveLength(0);
  });

  it('launches nothing for a job GitLab no longer lists as pending', async () => {
    const w = world();
    w.gitlab.addJob(13, 380, [], 'canceled');

    const retry = await scaleUp([demand(13)], w.deps);

    expect(retry).toEqual([]);
    expect(w.ec2.calls.createFleet).toBe(0);
    expect(w.ledger.items.get(13)).toMatchObject({ state: 'skipped', skipReason: 'status_canceled' });
  });

  it('acknowledges a job that GitLab does not know any more', async () => {
    const w = world();

    const retry = await scaleUp([demand(14)], w.deps);

    expect(retry).toEqual([]);
    expect(w.observer.events).toContain('skipped 14 job_not_found');
  });
});

describe('scale-up: routing', () => {
  it('drops a job no pool serves with a record, and launches nothing', async () => {
    const w = world();
    w.gitlab.addJob(20, 380, ['windows']);

    const retry = await scaleUp([demand(20)], w.deps);

    expect(retry).toEqual([]);
    expect(w.ec2.calls.createFleet).toBe(0);
    expect(w.observer.events).toContain('unroutable 20 no_pool');
  });

  it('gives a job with shape tags a runner that carries them, launched by instance requirements', async () => {
    const w = world();
    w.gitlab.addJob(21, 380, ['gpu', 'cpu:16', 'mem:64']);

    await scaleUp([demand(21)], w.deps);

    expect([...w.gitlab.runners.values()][0]?.tags).toEqual(['gpu', 'cpu:16', 'mem:64']);
    expect(w.ec2.running()[0]?.pool).toBe('gpu');
  });
});

describe('scale-up: limits hold, and demand over them waits', () => {
  it.each([
    ['the pool cap', { limits: { maxInstances: 100, maxSpendPerHourUsd: 100 } }, 10],
    [
      'the global cap',
      { limits: { maxInstances: 3, maxSpendPerHourUsd: 100, maxInstancesPerProject: 3 } },
      3,
    ],
    [
      'the hourly spend cap (priced at on-demand)',
      { limits: { maxInstances: 100, maxSpendPerHourUsd: 0.35 } },
      4,
    ],
  ])('launches no more than %s allows and retries the rest', async (_label, overrides, expected) => {
    const w = world(overrides);
    const ids = Array.from({ length: 12 }, (_, i) => 100 + i);
    for (const id of ids) w.gitlab.addJob(id, 380);

    const retry = await scaleUp(
      ids.map((id) => demand(id)),
      w.deps,
    );

    expect(w.ec2.running()).toHaveLength(expected);
    expect(retry).toHaveLength(12 - expected);
    expect(w.observer.events).toContain(`waiting arm-docker ${12 - expected}`);
  });

  it('counts instances already running against the caps', async () => {
    const w = world({ limits: { maxInstances: 2, maxSpendPerHourUsd: 100, maxInstancesPerProject: 2 } });
    w.gitlab.addJob(30, 380);
    w.gitlab.addJob(31, 380);
    w.gitlab.addJob(32, 380);
    await scaleUp([demand(30)], w.deps);

    const retry = await scaleUp([demand(31), demand(32)], w.deps);

    expect(w.ec2.running()).toHaveLength(2);
    expect(retry).toHaveLength(1);
  });

  it('lets waiting demand launch once capacity frees up', async () => {
    const w = world({ limits: { maxInstances: 1, maxSpendPerHourUsd: 100 } });
    w.gitlab.addJob(40, 380);
    w.gitlab.addJob(41, 380);
    await scaleUp([demand(40), demand(41)], w.deps);
    for (const instance of w.ec2.running())
      w.ec2.end(instance.instanceId, 'Client.InstanceInitiatedShutdown');

    const retry = await scaleUp([demand(41)], w.deps);

    expect(retry).toEqual([]);
    expect(w.ledger.items.get(41)?.state).toBe('launched');
  });
});

describe('scale-up: spot shortfall', () => {
  it('launches the shortfall on-demand after InsufficientInstanceCapacity when the pool allows it', async () => {
    const w = world({}, { spotShortfall: () => 2 });
    const ids = [50, 51, 52, 53];
    for (const id of ids) w.gitlab.addJob(id, 380);

    const retry = await scaleUp(
      ids.map((id) => demand(id)),
      w.deps,
    );

    expect(retry).toEqual([]);
    expect(lifecycles(w)).toEqual(['on-demand', 'on-demand', 'spot', 'spot']);
    expect(w.ec2.calls.createFleet).toBe(2);
  });

  it('retries the shortfall when the pool does not fall back to on-demand', async () => {
    const w = world({}, { spotShortfall: () => 1 });
    w.gitlab.addJob(60, 380, ['gpu']);
    w.gitlab.addJob(61, 380, ['gpu']);

    const retry = await scaleUp([demand(60), demand(61)], w.deps);

    expect(w.ec2.running()).toHaveLength(1);
    expect(retry).toHaveLength(1);
    expect(w.observer.events).toContain('shortfall gpu InsufficientInstanceCapacity 1');
    expect([...w.ledger.items.values()].filter((item) => item.state === 'claimed')).toEqual([]);
    // The runner created for the job no instance came for is deleted: one runner per instance.
    expect([...w.gitlab.runners.keys()]).toEqual([w.ledger.items.get(60)?.launch?.runnerId]);
    expect(w.gitlab.calls.deleteRunner).toBe(1);
  });
});

describe('scale-up: retried jobs on-demand', () => {
  const retried = (jobId: number) => {
    const d = demand(jobId);
    return { ...d, demand: { ...d.demand, retriesCount: 1 } };
  };

  it('launches a retried job on-demand when its pool asks so, and first-run jobs on spot, in separate calls', async () => {
    const pools = POOLS.map((pool) =>
      pool.name === 'arm-docker' ? { ...pool, onDemandForRetries: true } : pool,
    );
    const w = world({ pools });
    for (const id of [80, 81]) w.gitlab.addJob(id, 380);

    const retry = await scaleUp([retried(80), demand(81)], w.deps);

    expect(retry).toEqual([]);
    expect(lifecycles(w)).toEqual(['on-demand', 'spot']);
    expect(w.ec2.calls.createFleet).toBe(2);
    expect(w.observer.events).toContain('launched arm-docker on-demand 1');
  });

  it('launches a retried job on spot when its pool does not ask for on-demand retries', async () => {
    const w = world();
    w.gitlab.addJob(82, 380);

    await scaleUp([retried(82)], w.deps);

    expect(lifecycles(w)).toEqual(['spot']);
  });
});

describe('scale-up: failure halfway leaves nothing behind', () => {
  it('launches nothing for a job and retries it when GitLab fails to create its runner', async () => {
    const w = world();
    w.gitlab.addJob(70, 380);
    w.gitlab.addJob(71, 380);
    const createRunner = w.gitlab.createRunner.bind(w.gitlab);
    let calls = 0;
    w.gitlab.createRunner = async (spec) => {
      calls += 1;
      if (calls === 1) throw new Error('boom');
      return createRunner(spec);
    };

    const retry = await scaleUp([demand(70), demand(71)], w.deps);

    expect(retry).toHaveLength(1);
    expect(w.ec2.instances.size).toBe(1);
    expect(w.gitlab.runners.size).toBe(1);
    expect(w.tokens.tokens.size).toBe(1);
    expect(w.ec2.calls.terminate).toBe(0);
  });

  it('deletes the runner and terminates the instance when storing the token fails', async () => {
    const w = world();
    w.gitlab.addJob(72, 380);
    w.tokens.failPuts = 1;

    const retry = await scaleUp([demand(72)], w.deps);

    expect(retry).toHaveLength(1);
    expect(w.ec2.running()).toHaveLength(0);
    expect(w.gitlab.runners.size).toBe(0);
    expect(w.tokens.tokens.size).toBe(0);
    expect(w.ledger.items.has(72)).toBe(false);
  });

  it('retries every job of a group whose CreateFleet call failed, with claims released', async () => {
    const w = world();
    w.gitlab.addJob(73, 380);
    w.deps.fleet.launch = async () => {
      throw new Error('RequestLimitExceeded');
    };

    const retry = await scaleUp([demand(73)], w.deps);

    expect(retry).toHaveLength(1);
    expect(w.ledger.items.has(73)).toBe(false);
    // Its runner was created first; with no instance for it, it is deleted.
    expect(w.gitlab.calls.createRunner).toBe(1);
    expect(w.gitlab.runners.size).toBe(0);
  });
});

describe('scale-up: relaunching a lost job', () => {
  it('gets a fresh instance, not the terminated one an identical earlier request returned', async () => {
    const w = world();
    w.gitlab.addJob(96, 380);
    await scaleUp([demand(96)], w.deps);
    const [first] = w.ec2.running();
    if (first !== undefined) w.ec2.end(first.instanceId, 'Client.InstanceInitiatedShutdown');
    const item = w.ledger.items.get(96);
    if (item !== undefined) item.state = 'lost'; // the reaper's mark: its instance vanished
    w.clock.advance(60_000);

    await scaleUp([demand(96)], w.deps);

    const [second] = w.ec2.running();
    expect(second?.instanceId).toBeDefined();
    expect(second?.instanceId).not.toBe(first?.instanceId);
    expect(w.ledger.items.get(96)?.launch?.instanceId).toBe(second?.instanceId);
  });
});

describe('scale-up: a job taken elsewhere while launching', () => {
  it('undoes its instance and counts a skip, not a failure, when the job ran elsewhere meanwhile', async () => {
    const w = world();
    w.gitlab.addJob(95, 380);
    const createRunner = w.gitlab.createRunner.bind(w.gitlab);
    w.gitlab.createRunner = async (spec) => {
      const item = w.ledger.items.get(95);
      if (item !== undefined) item.state = 'running'; // the lifecycle consumer saw `running` first
      return createRunner(spec);
    };

    const retry = await scaleUp([demand(95)], w.deps);

    expect(w.observer.events).toContain('skipped 95 moved_on');
    expect(w.observer.events.filter((e) => e.startsWith('failed'))).toEqual([]);
    expect(w.ec2.running()).toHaveLength(0);
    expect(w.gitlab.runners.size).toBe(0);
    expect(w.ledger.items.get(95)?.state).toBe('running');
    expect(retry).toEqual([]);
  });
});

describe('scale-up: GitLab errors', () => {
  it('stops the batch on a 401 and launches nothing: a bad token is a configuration error', async () => {
    const w = world({ concurrency: 1 });
    const ids = [80, 81, 82, 83];
    for (const id of ids) w.gitlab.addJob(id, 380);
    w.gitlab.failNext(401);

    const retry = await scaleUp(
      ids.map((id) => demand(id)),
      w.deps,
    );

    expect(retry).toHaveLength(4);
    expect(w.gitlab.calls.getJob).toBe(1);
    expect(w.ec2.calls.createFleet).toBe(0);
    expect(w.observer.events.filter((e) => e.startsWith('auth'))).toEqual(['auth 401']);
  });

  it.each([429, 500, 503] as const)(
    'retries only the job whose check hit a %i that outlasted the retries',
    async (status) => {
      const w = world({ concurrency: 1 });
      w.gitlab.addJob(90, 380);
      w.gitlab.addJob(91, 380);
      w.gitlab.failNext(status);

      const retry = await scaleUp([demand(90), demand(91)], w.deps);

      expect(retry).toHaveLength(1);
      expect(w.ec2.running()).toHaveLength(1);
      expect(w.ledger.items.has(90)).toBe(false);
    },
  );
});
