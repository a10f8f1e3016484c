import { describe, expect, it } from 'vitest';
import { sweep } from '../../lambdas/reaper/sweep';
import { MINUTE, PROJECT, reaperWorld } from './reaper-world';

type World = ReturnType<typeof reaperWorld>;

describe('reaper sweep: instances', () => {
  it.each<
    [string, (w: World, instanceId: string, runnerId: number) => Promise<unknown>, number, string | undefined]
  >([
    [
      'an instance whose token is unread after 10 minutes',
      async () => undefined,
      10 * MINUTE + 1000,
      'instance_no_token',
    ],
    ['a booting instance whose token is unread for 9 minutes', async () => undefined, 9 * MINUTE, undefined],
    [
      'a booted instance idle past 10 min + 5 min boot grace',
      async (w, i) => w.booted(i),
      15 * MINUTE + 1000,
      'instance_idle',
    ],
    ['a booted instance idle for 14 minutes', async (w, i) => w.booted(i), 14 * MINUTE, undefined],
    [
      'an instance running a job for 2 hours',
      async (w, i, r) => {
        await w.booted(i);
        await w.journal.recordRunning(1, PROJECT, { instanceId: i, runnerId: r });
      },
      119 * MINUTE,
      undefined,
    ],
    [
      'an instance running a job past its 2-hour lifetime',
      async (w, i, r) => {
        await w.booted(i);
        await w.journal.recordRunning(1, PROJECT, { instanceId: i, runnerId: r });
      },
      121 * MINUTE,
      'instance_lifetime',
    ],
  ])('%s: %s', async (_case, arrange, ageMs, reason) => {
    const w = reaperWorld();
    const { instanceId, runnerId } = await w.launched(1);
    await arrange(w, instanceId, runnerId);
    w.clock.advance(ageMs);

    await sweep(w.deps);

    const reaped = w.observer.events.filter((e) => e.startsWith('reaped instance_'));
    expect(reaped).toEqual(reason === undefined ? [] : [`reaped ${reason} ${instanceId}`]);
    expect(w.ec2.instances.get(instanceId)?.state).toBe(reason === undefined ? 'running' : 'terminated');
  });

  it('gives an instance of a pool the configuration does not name the strictest limits', async () => {
    const w = reaperWorld();
    const { instanceId } = await w.launched(1, 'retired-pool');
    await w.booted(instanceId);
    // gpu's 5 min idle + 5 min boot grace, not arm-docker's 10 + 5.
    w.clock.advance(10 * MINUTE + 1000);

    await sweep(w.deps);

    expect(w.observer.events).toContain(`reaped instance_idle ${instanceId}`);
  });

  it('terminates every reaped instance in one TerminateInstances call', async () => {
    const w = reaperWorld();
    const ids = [(await w.launched(1)).instanceId, (await w.launched(2)).instanceId];
    w.clock.advance(11 * MINUTE);
    const before = w.ec2.calls.terminate;

    const summary = await sweep(w.deps);

    expect(w.ec2.calls.terminate - before).toBe(1);
    expect(summary.terminated).toBe(2);
    expect(ids.map((id) => w.ec2.instances.get(id)?.state)).toEqual(['terminated', 'terminated']);
  });

  it('reports running instances per pool and their on-demand price per hour', async () => {
    const w = reaperWorld();
    await w.launched(1);

    await sweep(w.deps);

    // m7g.large is in the built-in price table at 0.0816 USD/h; gpu has no instance.
    expect(w.observer.events).toContain('fleet {"arm-docker":1,"gpu":0} 0.0816');
  });
});

describe('reaper sweep: an idle instance whose runner may be busy', () => {
  // Booted, idle past 10 min + 5 min boot grace by the job table: its `running` webhook was lost.
  async function idleLooking(w: World) {
    const launched = await w.launched(1);
    await w.booted(launched.instanceId);
    return launched;
  }

  it('keeps an instance whose runner GitLab says is running a job', async () => {
    const w = reaperWorld();
    const { instanceId, runnerId } = await idleLooking(w);
    w.gitlab.pickUp(1, runnerId);
    w.clock.advance(16 * MINUTE);

    const summary = await sweep(w.deps);

    expect(summary).toMatchObject({ terminated: 0, failures: 0 });
    expect(w.observer.events).toContain(`spared idle_but_busy ${instanceId}`);
    expect(w.ec2.instances.get(instanceId)?.state).toBe('running');
    expect(w.gitlab.runners.has(runnerId)).toBe(true);
  });

  it('asks GitLab once per idle candidate and terminates one whose runner runs nothing', async () => {
    const w = reaperWorld();
    const { instanceId } = await idleLooking(w);
    w.clock.advance(16 * MINUTE);

    await sweep(w.deps);

    expect(w.gitlab.calls.latestJob).toBe(1);
    expect(w.observer.events).toContain(`reaped instance_idle ${instanceId}`);
  });

  it('keeps the instance for a sweep when GitLab fails, and terminates it once GitLab answers', async () => {
    const w = reaperWorld();
    const { instanceId, runnerId } = await idleLooking(w);
    w.clock.advance(16 * MINUTE);
    w.gitlab.failNext(503);

    const first = await sweep(w.deps);

    expect(first).toMatchObject({ terminated: 0, failures: 1 });
    expect(w.observer.events).toContain(`failed runner_busy ${runnerId}`);
    expect(w.observer.events).toContain(`spared idle_unconfirmed ${instanceId}`);

    const second = await sweep(w.deps);

    expect(second).toMatchObject({ terminated: 1, failures: 0 });
  });

  it('lets the job table decide when GitLab refuses the token, as for every GitLab step', async () => {
    const w = reaperWorld();
    const { instanceId } = await idleLooking(w);
    w.clock.advance(16 * MINUTE);
    w.gitlab.failNext(401);

    const summary = await sweep(w.deps);

    expect(summary).toMatchObject({ terminated: 1, runnersDeleted: 0 });
    expect(w.observer.events).toContain(`reaped instance_idle ${instanceId}`);
    expect(w.observer.events.filter((e) => e.startsWith('auth'))).toEqual(['auth 401']);
  });
});

describe('reaper sweep: what a gone instance leaves behind', () => {
  it('deletes the runner and token of a terminated instance, marks the job lost and enqueues its demand', async () => {
    const w = reaperWorld();
    const { instanceId, runnerId } = await w.launched(1);
    w.clock.advance(11 * MINUTE);

    const summary = await sweep(w.deps);

    expect(summary).toMatchObject({
      terminated: 1,
      runnersDeleted: 1,
      tokensDeleted: 1,
      jobsLost: 1,
      requeued: 1,
    });
    expect(w.gitlab.runners.has(runnerId)).toBe(false);
    expect(w.tokens.tokens.has(instanceId)).toBe(false);
    expect(w.ledger.items.get(1)).toMatchObject({ state: 'lost', cleanedUp: true });
    expect(w.queue.sent.map((m) => [m.kind, m.jobId, m.projectId])).toEqual([['demand', 1, PROJECT]]);
    expect(await w.ledger.claim(1, PROJECT)).toBe(true);
  });

  it('leaves the runner of a gone instance whose launched job ran elsewhere to the lifecycle for 15 minutes, then deletes it', async () => {
    const w = reaperWorld();
    const here = await w.launched(1);
    const there = await w.launched(2);
    await w.journal.recordRunning(1, PROJECT, there);
    w.vanish(here.instanceId);
    w.clock.advance(3 * MINUTE);

    await sweep(w.deps);
    expect(w.gitlab.runners.has(here.runnerId)).toBe(true);
    expect(w.ledger.items.get(1)?.launchGoneAt).toBeDefined();

    w.clock.advance(16 * MINUTE);
    await sweep(w.deps);
    expect(w.gitlab.runners.has(here.runnerId)).toBe(false);
    expect(w.ledger.items.get(1)).toMatchObject({ launchCleanedUp: true });
  });

  it('cleans up after a spot-interrupted instance that is already gone, without terminating or requeueing', async () => {
    const w = reaperWorld();
    const { instanceId, runnerId } = await w.launched(1);
    await w.booted(instanceId);
    await w.journal.recordRunning(1, PROJECT, { instanceId, runnerId });
    const job = w.gitlab.jobs.get(1);
    if (job !== undefined) job.status = 'running';
    w.vanish(instanceId);
    w.clock.advance(3 * MINUTE);
    const terminateCalls = w.ec2.calls.terminate;

    const summary = await sweep(w.deps);

    expect(summary).toMatchObject({
      terminated: 0,
      runnersDeleted: 1,
      jobsLost: 0,
      requeued: 0,
      failures: 0,
    });
    expect(w.ec2.calls.terminate).toBe(terminateCalls);
    expect(w.ledger.items.get(1)).toMatchObject({ state: 'running', cleanedUp: true });
  });

  it('waits for DescribeInstances to catch up before calling a fresh item orphaned', async () => {
    const w = reaperWorld();
    const { instanceId, runnerId } = await w.launched(1);
    w.vanish(instanceId);
    w.clock.advance(MINUTE);

    await sweep(w.deps);

    expect(w.gitlab.runners.has(runnerId)).toBe(true);
    expect(w.ledger.items.get(1)?.state).toBe('launched');
  });

  it('never touches an item the lifecycle consumer already cleaned up', async () => {
    const w = reaperWorld();
    const { instanceId, runnerId } = await w.launched(1);
    // The consumer deletes the runner, then records the job finished and cleaned up.
    await w.gitlab.deleteRunner(runnerId);
    await w.journal.recordFinished(1, PROJECT, 'success', { instanceId, runnerId });
    w.vanish(instanceId);
    w.clock.advance(3 * MINUTE);
    const deletes = w.gitlab.calls.deleteRunner;

    await sweep(w.deps);

    expect(w.gitlab.calls.deleteRunner).toBe(deletes);
    expect(w.table.calls.markCleanedUp + w.table.calls.markLost).toBe(0);
  });

  it('leaves an item alone that the lifecycle consumer cleaned up between the scan and the mark', async () => {
    const w = reaperWorld();
    const { instanceId, runnerId } = await w.launched(1);
    await w.journal.recordRunning(1, PROJECT, { instanceId, runnerId });
    w.vanish(instanceId);
    w.clock.advance(3 * MINUTE);
    const open = w.table.open.bind(w.table);
    w.table.open = async () => {
      const items = await open();
      await w.journal.recordFinished(1, PROJECT, 'failed', { instanceId, runnerId });
      return items;
    };

    const summary = await sweep(w.deps);

    expect(summary.failures).toBe(0);
    expect(w.ledger.items.get(1)).toMatchObject({
      state: 'finished',
      finishedStatus: 'failed',
      cleanedUp: true,
    });
  });

  it('still deletes the token when the runner deletion fails, and finishes the job on the next sweep', async () => {
    const w = reaperWorld();
    const { instanceId, runnerId } = await w.launched(1);
    w.vanish(instanceId);
    w.clock.advance(3 * MINUTE);
    w.gitlab.failNext(503);

    const first = await sweep(w.deps);

    expect(first).toMatchObject({ runnersDeleted: 0, tokensDeleted: 1, jobsLost: 0 });
    expect(w.observer.events).toContain(`failed runner ${runnerId}`);
    expect(w.ledger.items.get(1)?.state).toBe('launched');

    const second = await sweep(w.deps);

    expect(second).toMatchObject({ runnersDeleted: 1, jobsLost: 1, failures: 0 });
    expect(w.gitlab.runners.size).toBe(0);
  });

  it('stops only the GitLab steps when GitLab refuses the token', async () => {
    const w = reaperWorld();
    await w.launched(1);
    await w.launched(2);
    w.clock.advance(11 * MINUTE);
    // Both runner deletions are in flight together; GitLab refuses both.
    w.gitlab.failNext(401, 401);

    const summary = await sweep(w.deps);

    expect(summary).toMatchObject({ terminated: 2, tokensDeleted: 2, runnersDeleted: 0, requeued: 0 });
    expect(w.gitlab.calls.listPendingJobs).toBe(0);
    expect(w.observer.events.filter((e) => e.startsWith('auth'))).toEqual(['auth 401']);
  });

  it('reaps nothing when EC2 cannot be listed: every instance would look gone', async () => {
    const w = reaperWorld();
    const { runnerId } = await w.launched(1);
    w.clock.advance(11 * MINUTE);
    w.deps.fleet.live = async () => {
      throw new Error('RequestLimitExceeded');
    };

    const summary = await sweep(w.deps);

    expect(summary).toMatchObject({ terminated: 0, runnersDeleted: 0, tokensDeleted: 0, failures: 1 });
    expect(w.gitlab.runners.has(runnerId)).toBe(true);
  });

  it('survives two sweeps at once: same end state, each job lost once, nothing thrown', async () => {
    const w = reaperWorld();
    const launched = [await w.launched(1), await w.launched(2)];
    w.clock.advance(11 * MINUTE);

    const summaries = await Promise.all([sweep(w.deps), sweep(w.deps)]);

    expect(summaries.reduce((sum, s) => sum + s.jobsLost, 0)).toBe(2);
    expect(launched.map((l) => w.ec2.instances.get(l.instanceId)?.state)).toEqual([
      'terminated',
      'terminated',
    ]);
    expect([w.gitlab.runners.size, w.tokens.tokens.size]).toEqual([0, 0]);
    // Both may enqueue the same demand; scale-up's claim lets one launch per job.
    expect(await w.ledger.claim(1, PROJECT)).toBe(true);
    expect(await w.ledger.claim(1, PROJECT)).toBe(false);
  });
});

describe('reaper sweep: lost demand', () => {
  it('enqueues a pending job older than the grace period with no job item, once per sweep', async () => {
    const w = reaperWorld({ projectIds: [PROJECT, PROJECT] });
    w.gitlab.addJob(7, PROJECT);
    w.clock.advance(121_000);

    await sweep(w.deps);

    expect(w.queue.sent).toMatchObject([
      {
        v: 1,
        kind: 'demand',
        status: 'pending',
        jobId: 7,
        projectId: PROJECT,
        idempotencyKey: 'reaper:7:pending',
      },
    ]);
  });

  it.each<[string, (w: World) => Promise<unknown>]>([
    ['younger than the grace period', async (w) => w.gitlab.addJob(7, PROJECT)],
    [
      'with capacity on the way (claimed)',
      async (w) => {
        w.clock.advance(-MINUTE * 3);
        w.gitlab.addJob(7, PROJECT);
        w.clock.advance(MINUTE * 3);
        await w.ledger.claim(7, PROJECT);
      },
    ],
  ])('leaves a pending job %s alone', async (_case, arrange) => {
    const w = reaperWorld({ projectIds: [PROJECT] });
    await arrange(w);
    w.clock.advance(60_000);

    await sweep(w.deps);

    expect(w.queue.sent).toEqual([]);
  });

  it('leaves a job with a live instance launched for it alone', async () => {
    const w = reaperWorld();
    const { instanceId } = await w.launched(7);
    await w.booted(instanceId);
    w.clock.advance(5 * MINUTE);

    await sweep(w.deps);

    expect(w.queue.sent).toEqual([]);
  });

  it('reads at most MAX_PAGES_PER_SWEEP pages over all projects', async () => {
    const w = reaperWorld({ projectIds: [1, 2, 3], maxPagesPerSweep: 4 });
    for (const project of [1, 2, 3])
      for (let n = 0; n < 250; n += 1) w.gitlab.addJob(project * 1000 + n, project);
    w.clock.advance(5 * MINUTE);

    const summary = await sweep(w.deps);

    expect(w.gitlab.calls.listPendingJobs).toBe(4);
    expect(summary.pagesRead).toBe(4);
    // One project's 3 pages (250 jobs) and the first page of the next (100).
    expect(summary.requeued).toBe(350);
  });
});
