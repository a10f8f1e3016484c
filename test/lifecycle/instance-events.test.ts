import { describe, expect, it } from 'vitest';
import { GitlabUnavailableError } from '../../lambdas/shared/gitlab/errors';
import type { Placement } from '../../lambdas/shared/job-table/views';
import { jobEvent, lifecycleWorld, spotWarning, stateChange } from './lifecycle-world';

/** A world with job 41 running on the instance launched for it. */
async function runningJob() {
  const w = lifecycleWorld();
  const at: Placement = await w.launched(41);
  await w.deliver(jobEvent('job-hook-running', 41, at));
  w.setStatus(41, 'running');
  w.observer.events.length = 0;
  return { w, at };
}

describe('lifecycle: spot interruption warning', () => {
  it('marks the running job interrupted and leaves GitLab alone while the job still runs', async () => {
    const { w, at } = await runningJob();

    const retry = await w.deliver(spotWarning(at.instanceId));

    expect(retry).toEqual([]);
    expect(w.ledger.items.get(41)).toMatchObject({ state: 'running', interrupted: true });
    expect(w.observer.events).toEqual([`spot ${at.instanceId} 41`]);
    expect(w.gitlab.calls.cancelJob + w.gitlab.calls.retryJob).toBe(0);
  });

  it('lets an idle instance go: nothing marked, nothing to retry', async () => {
    const w = lifecycleWorld();
    const idle = await w.launched(41);

    await w.deliver(spotWarning(idle.instanceId));
    w.reclaim(idle.instanceId);
    await w.deliver(stateChange(idle.instanceId, 'terminated'));

    expect(w.ledger.items.get(41)?.interrupted).toBeUndefined();
    expect(w.gitlab.calls.retryJob).toBe(0);
    expect(w.gitlab.runners.has(idle.runnerId)).toBe(false);
    expect(w.tokens.tokens.has(idle.instanceId)).toBe(false);
    expect(w.observer.events).toEqual([
      `spot ${idle.instanceId} idle`,
      `runner-deleted ${idle.runnerId} instance_gone`,
    ]);
  });

  it('counts a warning for an instance of this stack that the job table does not know as idle', async () => {
    const w = lifecycleWorld();
    const at = await w.launched(41);
    w.ledger.items.delete(41);

    await w.deliver(spotWarning(at.instanceId));

    expect(w.observer.events).toEqual([`spot ${at.instanceId} idle`]);
  });

  it("ignores a warning for an instance that is not this stack's", async () => {
    const w = lifecycleWorld();

    const retry = await w.deliver(spotWarning('i-0fedcba9876543210'));

    expect(retry).toEqual([]);
    expect(w.observer.events).toEqual(['ignored not_our_instance i-0fedcba9876543210']);
  });

  it('marks the job once for a repeated warning', async () => {
    const { w, at } = await runningJob();
    await w.deliver(spotWarning(at.instanceId));

    await w.deliver(spotWarning(at.instanceId));

    expect(w.observer.events.filter((e) => e.startsWith('spot'))).toHaveLength(1);
  });

  it('retries at once when the warning arrives after the instance is gone (a late redelivery)', async () => {
    const { w, at } = await runningJob();
    w.reclaim(at.instanceId);
    await w.deliver(stateChange(at.instanceId, 'terminated'));

    await w.deliver(spotWarning(at.instanceId));

    expect(w.gitlab.jobs.get(41)?.retriedAs).toBe(42);
    expect(w.ledger.items.get(41)).toMatchObject({ interrupted: true, retried: true, retriedJobId: 42 });
  });
});

describe('lifecycle: instance gone after a spot interruption', () => {
  it('cancels and retries the interrupted job once the instance shuts down, and cleans up', async () => {
    const { w, at } = await runningJob();
    await w.deliver(spotWarning(at.instanceId));
    w.reclaim(at.instanceId);

    const retry = await w.deliver(stateChange(at.instanceId, 'shutting-down'));

    expect(retry).toEqual([]);
    expect(w.gitlab.jobs.get(41)).toMatchObject({ status: 'canceled', retriedAs: 42 });
    expect(w.gitlab.jobs.get(42)).toMatchObject({ status: 'pending', tagList: ['arm64'] });
    expect(w.ledger.items.get(41)).toMatchObject({ retried: true, retriedJobId: 42 });
    expect(w.gitlab.runners.has(at.runnerId)).toBe(false);
    expect(w.tokens.tokens.has(at.instanceId)).toBe(false);
    expect(w.observer.events.slice(1)).toEqual([
      'retried 41 as 42',
      `runner-deleted ${at.runnerId} instance_gone`,
    ]);
  });

  it('retries once across shutting-down and terminated, in one batch or two', async () => {
    const { w, at } = await runningJob();
    await w.deliver(spotWarning(at.instanceId));
    w.reclaim(at.instanceId);

    await w.deliver(stateChange(at.instanceId, 'shutting-down'), stateChange(at.instanceId, 'terminated'));
    await w.deliver(stateChange(at.instanceId, 'terminated'));

    expect(w.gitlab.calls.retryJob).toBe(1);
    expect([...w.gitlab.jobs.keys()]).toEqual([41, 42]);
  });

  it('handles a warning and the state change that follows it in one batch in that order', async () => {
    const { w, at } = await runningJob();
    w.reclaim(at.instanceId);

    await w.deliver(stateChange(at.instanceId, 'shutting-down'), spotWarning(at.instanceId));

    expect(w.gitlab.jobs.get(41)?.retriedAs).toBe(42);
    expect(w.gitlab.calls.retryJob).toBe(1);
  });

  it('retries an interrupted job the runner reported failed as its instance went, without cancelling', async () => {
    const { w, at } = await runningJob();
    await w.deliver(spotWarning(at.instanceId));
    w.setStatus(41, 'failed');
    await w.deliver(jobEvent('job-hook-failed-runner-system', 41, at));

    await w.deliver(stateChange(at.instanceId, 'terminated'));

    expect(w.gitlab.calls.cancelJob).toBe(0);
    expect(w.gitlab.jobs.get(41)?.retriedAs).toBe(42);
  });

  it.each([
    ['succeeded', 'job-hook-success', {}],
    ['was cancelled', 'job-hook-success', { build_status: 'canceled' }],
  ] as const)('leaves alone an interrupted job that %s', async (_name, fixture, changes) => {
    const { w, at } = await runningJob();
    await w.deliver(spotWarning(at.instanceId));
    await w.deliver(jobEvent(fixture, 41, at, changes));

    await w.deliver(stateChange(at.instanceId, 'terminated'));

    expect(w.gitlab.calls.retryJob).toBe(0);
  });

  it('does not retry a job that succeeded before its instance went while its webhook is on the way', async () => {
    const { w, at } = await runningJob();
    await w.deliver(spotWarning(at.instanceId));
    w.setStatus(41, 'success');

    await w.deliver(stateChange(at.instanceId, 'terminated'));

    expect(w.gitlab.calls.retryJob).toBe(0);
    expect(w.observer.events).toContain('ignored job_succeeded 41');
  });

  it('records a retry GitLab refuses (retried already) so it is not tried again', async () => {
    const { w, at } = await runningJob();
    await w.deliver(spotWarning(at.instanceId));
    w.setStatus(41, 'failed');
    await w.gitlab.retryJob(380, 41);

    expect(await w.deliver(stateChange(at.instanceId, 'shutting-down'))).toEqual([]);
    await w.deliver(stateChange(at.instanceId, 'terminated'));

    expect(w.ledger.items.get(41)).toMatchObject({ retried: true });
    expect(w.observer.events.filter((e) => e.startsWith('retry-refused'))).toEqual(['retry-refused 41']);
    expect(w.gitlab.calls.retryJob).toBe(2);
  });

  it('still retries a job it cancelled when the retry call failed and its own canceled webhook came first', async () => {
    const { w, at } = await runningJob();
    await w.deliver(spotWarning(at.instanceId));
    const retryJob = w.gitlab.retryJob.bind(w.gitlab);
    let calls = 0;
    w.gitlab.retryJob = async (projectId, jobId) => {
      calls += 1;
      if (calls === 1) throw new GitlabUnavailableError('GitLab answered HTTP 502');
      return retryJob(projectId, jobId);
    };
    const body = stateChange(at.instanceId, 'terminated');

    expect(await w.deliver(body)).toEqual([body]);
    await w.deliver(jobEvent('job-hook-success', 41, at, { build_status: 'canceled' }));
    expect(await w.deliver(body)).toEqual([]);

    expect(w.gitlab.jobs.get(41)?.retriedAs).toBe(42);
    expect(w.observer.events.filter((e) => e.startsWith('retried'))).toEqual(['retried 41 as 42']);
  });

  it('retries the message while GitLab is unavailable, and retries the job once when it is back', async () => {
    const { w, at } = await runningJob();
    await w.deliver(spotWarning(at.instanceId));
    w.gitlab.failNext(502);
    const body = stateChange(at.instanceId, 'shutting-down');

    expect(await w.deliver(body)).toEqual([body]);
    expect(await w.deliver(body)).toEqual([]);

    expect(w.gitlab.jobs.get(41)?.retriedAs).toBe(42);
    expect(w.observer.events.filter((e) => e.startsWith('retried'))).toEqual(['retried 41 as 42']);
  });
});

describe('lifecycle: instance gone, no interruption', () => {
  it('deletes the runner and token of an instance that died with its job, retrying nothing', async () => {
    const { w, at } = await runningJob();
    w.reclaim(at.instanceId);

    await w.deliver(stateChange(at.instanceId, 'terminated'));

    expect(w.gitlab.runners.has(at.runnerId)).toBe(false);
    expect(w.tokens.tokens.has(at.instanceId)).toBe(false);
    expect(w.gitlab.calls.retryJob).toBe(0);
  });

  it('succeeds as a no-op for an instance the reaper already terminated and cleaned up', async () => {
    const w = lifecycleWorld();
    const at = await w.launched(41);
    w.reclaim(at.instanceId);
    await w.gitlab.deleteRunner(at.runnerId);
    await w.tokens.delete(at.instanceId);

    const retry = await w.deliver(stateChange(at.instanceId, 'terminated'));

    expect(retry).toEqual([]);
    expect(w.observer.events.filter((e) => e.startsWith('failed'))).toEqual([]);
  });

  it('makes no call for the state changes of an instance whose job finished and was cleaned up', async () => {
    const { w, at } = await runningJob();
    await w.deliver(jobEvent('job-hook-success', 41, at));
    const calls = { gitlab: w.gitlab.totalCalls, ec2: { ...w.ec2.calls } };

    await w.deliver(stateChange(at.instanceId, 'shutting-down'), stateChange(at.instanceId, 'terminated'));

    expect({ gitlab: w.gitlab.totalCalls, ec2: w.ec2.calls }).toEqual(calls);
    expect(w.observer.events.at(-1)).toBe(`ignored already_cleaned_up ${at.instanceId}`);
  });

  it('deletes the runner a launch registered on an instance whose job ran elsewhere, when it goes', async () => {
    const w = lifecycleWorld();
    const here = await w.launched(41);
    const there = await w.launched(43);
    await w.deliver(jobEvent('job-hook-running', 41, there));
    w.observer.events.length = 0;
    w.reclaim(here.instanceId);

    const retry = await w.deliver(stateChange(here.instanceId, 'terminated'));

    expect(retry).toEqual([]);
    expect(w.gitlab.runners.has(here.runnerId)).toBe(false);
    expect(w.tokens.tokens.has(here.instanceId)).toBe(false);
    expect(w.observer.events).toEqual([`runner-deleted ${here.runnerId} instance_gone`]);
  });

  it('ignores the state changes of instances the job table does not name (other stacks, other tools)', async () => {
    const w = lifecycleWorld();

    const retry = await w.deliver(stateChange('i-0fedcba9876543210', 'terminated'));

    expect(retry).toEqual([]);
    expect(w.gitlab.totalCalls).toBe(0);
    expect(w.observer.events).toEqual(['ignored not_our_instance i-0fedcba9876543210']);
  });

  it('retries the message when the token parameter cannot be deleted', async () => {
    const { w, at } = await runningJob();
    w.reclaim(at.instanceId);
    const deleteToken = w.tokens.delete.bind(w.tokens);
    let failures = 1;
    w.tokens.delete = async (instanceId) => {
      if (failures-- > 0) throw new Error('ThrottlingException');
      return deleteToken(instanceId);
    };
    const body = stateChange(at.instanceId, 'terminated');

    expect(await w.deliver(body)).toEqual([body]);
    expect(await w.deliver(body)).toEqual([]);
    expect(w.tokens.tokens.has(at.instanceId)).toBe(false);
  });
});

describe('lifecycle: interruptions that hit a job are noted for the pool cool-down', () => {
  it('notes the interrupted instance once under its pool, however often the warning comes', async () => {
    const { w, at } = await runningJob();

    await w.deliver(spotWarning(at.instanceId));
    await w.deliver(spotWarning(at.instanceId));
    w.spotReclaim(at.instanceId);
    await w.deliver(stateChange(at.instanceId, 'terminated'));

    expect(w.interruptions.pools.get('arm-docker')?.map((noted) => noted.instanceId)).toEqual([
      at.instanceId,
    ]);
  });

  it('notes nothing for an idle instance spot reclaims: no job lost its run', async () => {
    const w = lifecycleWorld();
    const idle = await w.launched(41);

    await w.deliver(spotWarning(idle.instanceId));

    expect(w.interruptions.pools.size).toBe(0);
  });

  it('notes a reclaim whose warning never came, from the state change', async () => {
    const { w, at } = await runningJob();

    w.spotReclaim(at.instanceId);
    await w.deliver(stateChange(at.instanceId, 'terminated'));

    expect(w.interruptions.pools.get('arm-docker')).toHaveLength(1);
  });

  it('handles the warning even when the interruption log fails, and logs the failure', async () => {
    const { w, at } = await runningJob();
    w.interruptions.note = async () => {
      throw new Error('DynamoDB unavailable');
    };

    const retry = await w.deliver(spotWarning(at.instanceId));

    expect(retry).toEqual([]);
    expect(w.ledger.items.get(41)).toMatchObject({ interrupted: true });
    expect(w.observer.events).toContain(`failed interruptions ${at.instanceId}`);
  });
});
