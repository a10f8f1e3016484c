import { describe, expect, it } from 'vitest';
import { JOB_ITEM_TTL_SECONDS } from '../../lambdas/shared/job-table/lifetimes';
import { type JobFixture, jobEvent, lifecycleWorld, PROJECT, STACK } from './lifecycle-world';

// A job cancelled while it ran still names its runner; the fixtures hold success and failed.
const FINISHED: [string, JobFixture, Record<string, unknown>][] = [
  ['success', 'job-hook-success', {}],
  ['failed', 'job-hook-failed-runner-system', {}],
  ['canceled', 'job-hook-success', { build_status: 'canceled' }],
];

describe('lifecycle: a job starts running', () => {
  it('records the runner and instance that took the job, and how long it queued', async () => {
    const w = lifecycleWorld();
    const at = await w.launched(41);

    const retry = await w.deliver(jobEvent('job-hook-running', 41, at));

    expect(retry).toEqual([]);
    expect(w.ledger.items.get(41)).toMatchObject({
      state: 'running',
      placement: { instanceId: at.instanceId, runnerId: at.runnerId },
    });
    expect(w.ledger.items.get(41)?.expiresAt).toBe(Math.floor(w.clock.now() / 1000) + JOB_ITEM_TTL_SECONDS);
    // build_queued_duration 32.1 s in the fixture; the pool is the one scale-up launched for the job.
    expect(w.observer.events).toEqual([`running 41 ${at.instanceId} arm-docker 32100`]);
  });

  it('records a job that runs on an instance launched for another job under that instance', async () => {
    const w = lifecycleWorld();
    const forOther = await w.launched(41);
    await w.launched(42);

    await w.deliver(jobEvent('job-hook-running', 42, forOther));

    const byInstance = await w.journal.findByInstance(forOther.instanceId);
    expect(byInstance.map((record) => [record.jobId, record.state])).toEqual([
      [41, 'launched'],
      [42, 'running'],
    ]);
  });

  it('creates the item of a job whose running overtook its pending, so scale-up never launches for it', async () => {
    const w = lifecycleWorld();
    const elsewhere = await w.launched(41);

    await w.deliver(jobEvent('job-hook-running', 50, elsewhere));

    expect(w.ledger.items.get(50)).toMatchObject({ state: 'running', projectId: PROJECT });
    expect(await w.ledger.claim(50, PROJECT)).toBe(false);
    expect(w.observer.events[0]).toBe(`running 50 ${elsewhere.instanceId} unknown 32100`);
  });

  it('gives a job back to scale-up at once when a job with no launch of its own took its instance', async () => {
    const w = lifecycleWorld();
    const at = await w.launched(41);

    await w.deliver(jobEvent('job-hook-running', 50, at));

    expect(w.ledger.items.get(41)?.state).toBe('lost');
    expect(await w.ledger.claim(41, PROJECT)).toBe(true);
    expect(w.demanded).toMatchObject([
      { kind: 'demand', jobId: 41, projectId: PROJECT, idempotencyKey: 'lifecycle:41:displaced' },
    ]);
    expect(w.observer.events).toEqual([
      `running 50 ${at.instanceId} unknown 32100`,
      `displaced 41 ${at.instanceId}`,
    ]);
  });

  it('leaves the displaced job alone when the job that took its instance was launched elsewhere: that instance is spare', async () => {
    const w = lifecycleWorld();
    const here = await w.launched(41);
    await w.launched(50);

    await w.deliver(jobEvent('job-hook-running', 50, here));

    expect(w.ledger.items.get(41)?.state).toBe('launched');
    expect(w.demanded).toEqual([]);
  });

  it('gives a job back when the job that took its instance was launched in another pool, whose instance cannot serve it', async () => {
    const w = lifecycleWorld();
    const here = await w.launched(41);
    await w.launched(50, STACK, 'x86-docker');

    await w.deliver(jobEvent('job-hook-running', 50, here));

    expect(w.ledger.items.get(41)?.state).toBe('lost');
    expect(w.demanded.map((d) => d.jobId)).toEqual([41]);
  });

  it('leaves a displaced job alone once it runs somewhere, and gives nothing back for a duplicate running', async () => {
    const w = lifecycleWorld();
    const here = await w.launched(41);
    const there = await w.launched(43);
    await w.deliver(jobEvent('job-hook-running', 41, there));
    w.demanded.length = 0;

    await w.deliver(jobEvent('job-hook-running', 50, here));
    await w.deliver(jobEvent('job-hook-running', 50, here));

    expect(w.ledger.items.get(41)?.state).toBe('running');
    expect(w.demanded).toEqual([]);
  });

  it('still records the running job when giving the displaced job back fails (the reaper requeues it)', async () => {
    const w = lifecycleWorld();
    const at = await w.launched(41);
    w.deps.demand.send = async () => {
      throw new Error('SQS unavailable');
    };

    const retry = await w.deliver(jobEvent('job-hook-running', 50, at));

    expect(retry).toEqual([]);
    expect(w.ledger.items.get(50)?.state).toBe('running');
    expect(w.ledger.items.get(41)?.state).toBe('lost');
    expect(w.observer.events).toContain(`failed displaced ${at.instanceId}`);
  });

  it.each<[string, Record<string, unknown>]>([
    ['no runner', { runner: null }],
    ['a runner Spotlab did not create', { runner: { id: 7, description: 'shared-runner-7' } }],
    ['a runner named like ours without an instance id', { runner: { id: 7, description: 'spotlab box' } }],
  ])('records nothing for a job run by %s, and acknowledges it', async (_name, changes) => {
    const w = lifecycleWorld();

    const retry = await w.deliver(jobEvent('job-hook-running', 60, null, changes));

    expect(retry).toEqual([]);
    expect(w.ledger.items.has(60)).toBe(false);
    expect(w.observer.events).toEqual(['ignored not_our_runner 60']);
  });

  it('changes nothing on a duplicate running, and reports the wait once', async () => {
    const w = lifecycleWorld();
    const at = await w.launched(41);
    await w.deliver(jobEvent('job-hook-running', 41, at));

    await w.deliver(jobEvent('job-hook-running', 41, at));

    expect(w.observer.events.filter((e) => e.startsWith('running'))).toHaveLength(1);
    expect(w.observer.events.at(-1)).toBe('ignored already_recorded 41');
  });

  it('retries the message when the job table fails', async () => {
    const w = lifecycleWorld();
    const at = await w.launched(41);
    w.journal.failNext = 1;
    const body = jobEvent('job-hook-running', 41, at);

    expect(await w.deliver(body)).toEqual([body]);
    expect(await w.deliver(body)).toEqual([]);
    expect(w.ledger.items.get(41)?.state).toBe('running');
  });
});

describe('lifecycle: a job finishes', () => {
  it.each(FINISHED)(
    'when %s: terminates the instance, deletes runner and token, records the job finished',
    async (status, fixture, changes) => {
      const w = lifecycleWorld();
      const at = await w.launched(41);
      await w.deliver(jobEvent('job-hook-running', 41, at));

      const retry = await w.deliver(jobEvent(fixture, 41, at, changes));

      expect(retry).toEqual([]);
      expect(w.ec2.instances.get(at.instanceId)?.state).toBe('terminated');
      expect(w.gitlab.runners.has(at.runnerId)).toBe(false);
      expect(w.tokens.tokens.has(at.instanceId)).toBe(false);
      expect(w.ledger.items.get(41)).toMatchObject({
        state: 'finished',
        finishedStatus: status,
        cleanedUp: true,
      });
      expect(w.observer.events.slice(1)).toEqual([
        `terminated ${at.instanceId} job_finished`,
        `runner-deleted ${at.runnerId} job_finished`,
      ]);
    },
  );

  it('cleans up after a finished that overtook running, and the late running then does nothing', async () => {
    const w = lifecycleWorld();
    const at = await w.launched(41);

    await w.deliver(jobEvent('job-hook-success', 41, at));
    await w.deliver(jobEvent('job-hook-running', 41, at));

    expect(w.ec2.instances.get(at.instanceId)?.state).toBe('terminated');
    expect(w.gitlab.runners.has(at.runnerId)).toBe(false);
    expect(w.ledger.items.get(41)).toMatchObject({ state: 'finished', finishedStatus: 'success' });
    expect(w.observer.events.at(-1)).toBe('ignored already_recorded 41');
  });

  it('makes no call at all for a duplicate finished', async () => {
    const w = lifecycleWorld();
    const at = await w.launched(41);
    await w.deliver(jobEvent('job-hook-success', 41, at));
    const calls = { ec2: { ...w.ec2.calls }, gitlab: w.gitlab.totalCalls };

    const retry = await w.deliver(jobEvent('job-hook-success', 41, at));

    expect(retry).toEqual([]);
    expect({ ec2: w.ec2.calls, gitlab: w.gitlab.totalCalls }).toEqual(calls);
    expect(w.observer.events.at(-1)).toBe('ignored already_finished 41');
  });

  it('deletes runner and token of an instance that is gone already, without terminating it again', async () => {
    const w = lifecycleWorld();
    const at = await w.launched(41);
    w.reclaim(at.instanceId);

    await w.deliver(jobEvent('job-hook-success', 41, at));

    expect(w.ec2.calls.terminate).toBe(0);
    expect(w.gitlab.runners.has(at.runnerId)).toBe(false);
    expect(w.tokens.tokens.has(at.instanceId)).toBe(false);
    expect(w.ledger.items.get(41)?.state).toBe('finished');
  });

  it("never terminates an instance without this stack's tag", async () => {
    const w = lifecycleWorld();
    const other = await w.launched(41, 'OtherStack');

    await w.deliver(jobEvent('job-hook-success', 41, other));

    expect(w.ec2.instances.get(other.instanceId)?.state).toBe('running');
    expect(w.ec2.calls.terminate).toBe(0);
  });

  it('marks a job cancelled while pending finished, with nothing to clean up', async () => {
    const w = lifecycleWorld();
    const at = await w.launched(41);

    await w.deliver(jobEvent('job-hook-canceled-while-pending', 41, null));

    expect(w.ledger.items.get(41)).toMatchObject({ state: 'finished', finishedStatus: 'canceled' });
    expect(w.ledger.items.get(41)?.cleanedUp).toBeUndefined();
    expect(w.ec2.instances.get(at.instanceId)?.state).toBe('running');
    expect(w.gitlab.calls.deleteRunner).toBe(0);
  });

  it('records nothing for a job it never saw that ran on a runner not its own', async () => {
    const w = lifecycleWorld();

    await w.deliver(jobEvent('job-hook-success', 70, null, { runner: { id: 7, description: 'shared' } }));

    expect(w.ledger.items.has(70)).toBe(false);
    expect(w.observer.events).toEqual(['ignored not_our_runner 70']);
  });

  it('retries the message while GitLab is unavailable, recording the job finished only once cleaned up', async () => {
    const w = lifecycleWorld();
    const at = await w.launched(41);
    w.gitlab.failNext(503);
    const body = jobEvent('job-hook-success', 41, at);

    expect(await w.deliver(body)).toEqual([body]);
    expect(w.ec2.instances.get(at.instanceId)?.state).toBe('terminated');
    expect(w.ledger.items.get(41)?.state).toBe('launched');

    expect(await w.deliver(body)).toEqual([]);
    expect(w.gitlab.runners.has(at.runnerId)).toBe(false);
    expect(w.ledger.items.get(41)?.state).toBe('finished');
  });

  it('keeps the message when GitLab refuses the token, so the cleanup waits for a fixed token', async () => {
    const w = lifecycleWorld();
    const at = await w.launched(41);
    w.gitlab.failNext(401);
    const body = jobEvent('job-hook-success', 41, at);

    expect(await w.deliver(body)).toEqual([body]);
    expect(w.observer.events).toContain('auth 401');
    expect(w.observer.events).toContain(`failed runner ${at.runnerId}`);
  });
});

describe('lifecycle: a hook names a runner Spotlab never registered on that instance', () => {
  /** Another project's instance, and a runner its Maintainer named after its job (`spotlab job 41`). */
  async function victimAndImpostor() {
    const w = lifecycleWorld();
    const victim = await w.launched(41);
    const impostor = { runnerId: 7777, launchJobId: victim.launchJobId };
    return { w, victim, impostor };
  }

  it.each(FINISHED)(
    'when %s: terminates nothing, deletes no runner or token, records nothing, and counts it',
    async (status, fixture, changes) => {
      const { w, victim, impostor } = await victimAndImpostor();
      const calls = { ec2: { ...w.ec2.calls }, deleteRunner: w.gitlab.calls.deleteRunner };

      const retry = await w.deliver(jobEvent(fixture, 900, impostor, changes));

      expect(retry).toEqual([]);
      expect({ ec2: w.ec2.calls, deleteRunner: w.gitlab.calls.deleteRunner }).toEqual(calls);
      expect(w.ec2.instances.get(victim.instanceId)?.state).toBe('running');
      expect(w.gitlab.runners.has(victim.runnerId)).toBe(true);
      expect(w.tokens.tokens.has(victim.instanceId)).toBe(true);
      expect(w.ledger.items.has(900)).toBe(false);
      expect(w.observer.events).toEqual([`unrecorded-runner 900 7777 ${victim.launchJobId} ${status}`]);
    },
  );

  it("leaves the victim job's own item alone when the hook names that job with another runner", async () => {
    const { w, victim, impostor } = await victimAndImpostor();

    await w.deliver(jobEvent('job-hook-success', 41, impostor));

    expect(w.ec2.instances.get(victim.instanceId)?.state).toBe('running');
    expect(w.ledger.items.get(41)?.state).toBe('launched');
  });

  it('records no placement for running, so no job is displaced and no later cleanup follows it', async () => {
    const { w, victim, impostor } = await victimAndImpostor();

    await w.deliver(jobEvent('job-hook-running', 900, impostor));
    await w.deliver(jobEvent('job-hook-success', 900, impostor));

    expect(w.ledger.items.has(900)).toBe(false);
    expect(w.ledger.items.get(41)?.state).toBe('launched');
    expect(w.demanded).toEqual([]);
    expect(w.ec2.instances.get(victim.instanceId)?.state).toBe('running');
    expect(w.observer.events).toEqual([
      `unrecorded-runner 900 7777 ${victim.launchJobId} running`,
      `unrecorded-runner 900 7777 ${victim.launchJobId} success`,
    ]);
  });

  it('still cleans up after a job that ran on a runner launched for another job (the launch record ties it)', async () => {
    const w = lifecycleWorld();
    const forOther = await w.launched(41);

    await w.deliver(jobEvent('job-hook-running', 50, forOther));
    await w.deliver(jobEvent('job-hook-success', 50, forOther));

    expect(w.ec2.instances.get(forOther.instanceId)?.state).toBe('terminated');
    expect(w.gitlab.runners.has(forOther.runnerId)).toBe(false);
    expect(w.tokens.tokens.has(forOther.instanceId)).toBe(false);
    expect(w.ledger.items.get(50)).toMatchObject({ state: 'finished', cleanedUp: true });
  });
});
