import { describe, expect, it } from 'vitest';
import { jobEvent, lifecycleWorld, spotWarning, stateChange } from './lifecycle-world';

describe('lifecycle: spot interruption of a job whose running webhook GitLab dropped', () => {
  it('finds the job through the instance runner, records it running there and retries it once the instance goes', async () => {
    const w = lifecycleWorld();
    const at = await w.launched(41);
    w.gitlab.pickUp(41, at.runnerId);

    await w.deliver(spotWarning(at.instanceId));
    w.reclaim(at.instanceId);
    await w.deliver(stateChange(at.instanceId, 'shutting-down'));

    expect(w.gitlab.calls.latestJob).toBe(1);
    expect(w.ledger.items.get(41)).toMatchObject({ state: 'running', interrupted: true, retried: true });
    expect(w.gitlab.jobs.get(41)).toMatchObject({ status: 'canceled', retriedAs: 42 });
    expect(w.gitlab.runners.has(at.runnerId)).toBe(false);
    expect(w.observer.events).toEqual([
      `spot ${at.instanceId} 41`,
      'retried 41 as 42',
      `runner-deleted ${at.runnerId} instance_gone`,
    ]);
  });

  it('finds another job the runner took when the job it was launched for ran elsewhere', async () => {
    const w = lifecycleWorld();
    const here = await w.launched(41);
    const there = await w.launched(43);
    // Job 41 ran on the other instance (its running webhook arrived); job 43 runs here, unrecorded.
    await w.deliver(jobEvent('job-hook-running', 41, there));
    w.gitlab.pickUp(43, here.runnerId);
    w.observer.events.length = 0;

    await w.deliver(spotWarning(here.instanceId));

    expect(w.ledger.items.get(43)).toMatchObject({ state: 'running', interrupted: true });
    expect(w.ledger.items.get(41)?.interrupted).toBeUndefined();
    expect(w.observer.events).toEqual([`spot ${here.instanceId} 43`]);
  });

  it('asks GitLab once and counts the instance idle when its runner runs nothing', async () => {
    const w = lifecycleWorld();
    const idle = await w.launched(41);

    await w.deliver(spotWarning(idle.instanceId));

    expect(w.gitlab.calls.latestJob).toBe(1);
    expect(w.observer.events).toEqual([`spot ${idle.instanceId} idle`]);
    expect(w.ledger.items.get(41)?.state).toBe('launched');
  });

  it('retries the message while GitLab cannot say what the runner runs, having marked the instance warned', async () => {
    const w = lifecycleWorld();
    const at = await w.launched(41);
    w.gitlab.pickUp(41, at.runnerId);
    w.gitlab.failNext(503);

    const retry = await w.deliver(spotWarning(at.instanceId));

    expect(retry).toHaveLength(1);
    expect(w.ledger.items.get(41)).toMatchObject({ state: 'launched', launchWarned: true });
    expect(w.observer.events).toEqual([`failed running_job ${at.runnerId}`]);
  });

  it('still retries that job when the instance goes before the warning comes back: the runner leads to it before it is deleted', async () => {
    const w = lifecycleWorld();
    const at = await w.launched(41);
    w.gitlab.pickUp(41, at.runnerId);
    w.gitlab.failNext(503);
    const warning = spotWarning(at.instanceId);
    await w.deliver(warning);
    w.reclaim(at.instanceId);

    await w.deliver(stateChange(at.instanceId, 'shutting-down'));
    await w.deliver(warning, stateChange(at.instanceId, 'terminated'));

    expect(w.gitlab.jobs.get(41)).toMatchObject({ status: 'canceled', retriedAs: 42 });
    expect(w.gitlab.calls.retryJob).toBe(1);
    expect(w.gitlab.runners.has(at.runnerId)).toBe(false);
    expect(w.observer.events.slice(1)).toEqual([
      `spot ${at.instanceId} 41`,
      'retried 41 as 42',
      // Once: the terminated state change finds the runner recorded deleted and skips it.
      `runner-deleted ${at.runnerId} instance_gone`,
    ]);
    expect(w.gitlab.calls.deleteRunner).toBe(1);
  });

  it('does not ask GitLab when an instance that was never warned goes: it is idle or its job ended', async () => {
    const w = lifecycleWorld();
    const at = await w.launched(41);
    w.reclaim(at.instanceId);

    await w.deliver(stateChange(at.instanceId, 'terminated'));

    expect(w.gitlab.calls.latestJob).toBe(0);
    expect(w.gitlab.runners.has(at.runnerId)).toBe(false);
  });
});

describe('lifecycle: a spot warning whose handling failed until after the instance went', () => {
  /** Job 41 runs on its instance; the warning's first handling fails; EC2 reclaims the instance. */
  async function warnedTooLate(recordRunning: boolean) {
    const w = lifecycleWorld();
    const at = await w.launched(41);
    w.gitlab.pickUp(41, at.runnerId);
    if (recordRunning) await w.deliver(jobEvent('job-hook-running', 41, at));
    w.journal.failNext = 1;
    const warning = spotWarning(at.instanceId);
    expect(await w.deliver(warning)).toEqual([warning]);
    w.spotReclaim(at.instanceId);
    w.observer.events.length = 0;
    return { w, at, warning };
  }

  it.each([
    ['recorded running', true],
    ['whose running webhook was dropped', false],
  ])(
    'retries a job %s once the state change finds EC2 reclaimed the instance for spot',
    async (_name, recorded) => {
      const { w, at } = await warnedTooLate(recorded);

      await w.deliver(stateChange(at.instanceId, 'shutting-down'));

      expect(w.gitlab.jobs.get(41)).toMatchObject({ status: 'canceled', retriedAs: 42 });
      expect(w.ledger.items.get(41)).toMatchObject({ interrupted: true, retried: true });
      expect(w.gitlab.runners.has(at.runnerId)).toBe(false);
    },
  );

  it('retries a job GitLab already failed (runner_system_failure) when the late warning comes back first', async () => {
    const { w, at, warning } = await warnedTooLate(true);
    w.setStatus(41, 'failed');
    await w.deliver(jobEvent('job-hook-failed-runner-system', 41, at));

    await w.deliver(warning);

    expect(w.gitlab.calls.cancelJob).toBe(0);
    expect(w.gitlab.jobs.get(41)?.retriedAs).toBe(42);
  });

  it('does not retry twice when the late warning comes back after the state change retried the job', async () => {
    const { w, at, warning } = await warnedTooLate(true);
    await w.deliver(stateChange(at.instanceId, 'terminated'));

    await w.deliver(warning);

    expect(w.gitlab.calls.retryJob).toBe(1);
  });

  it('retries a job that failed before the state change was handled, without cancelling it', async () => {
    const { w, at } = await warnedTooLate(true);
    w.setStatus(41, 'failed');
    await w.deliver(jobEvent('job-hook-failed-runner-system', 41, at));

    await w.deliver(stateChange(at.instanceId, 'terminated'));

    expect(w.gitlab.calls.cancelJob).toBe(0);
    expect(w.gitlab.jobs.get(41)?.retriedAs).toBe(42);
    expect(w.ledger.items.get(41)).toMatchObject({ state: 'finished', interrupted: true, retried: true });
  });

  it('retries nothing when the instance ended for another reason (its own shutdown, an operator)', async () => {
    const w = lifecycleWorld();
    const at = await w.launched(41);
    w.gitlab.pickUp(41, at.runnerId);
    await w.deliver(jobEvent('job-hook-running', 41, at));
    w.reclaim(at.instanceId, 'Client.UserInitiatedShutdown');

    await w.deliver(stateChange(at.instanceId, 'terminated'));

    expect(w.gitlab.calls.retryJob).toBe(0);
    expect(w.gitlab.runners.has(at.runnerId)).toBe(false);
  });
});

describe('lifecycle: a reclaimed instance whose job only its runner can name', () => {
  it('keeps the runner while GitLab cannot answer, and retries the job GitLab failed meanwhile', async () => {
    const w = lifecycleWorld();
    const at = await w.launched(41);
    w.gitlab.pickUp(41, at.runnerId);
    w.spotReclaim(at.instanceId);
    w.gitlab.failNext(503);
    const gone = stateChange(at.instanceId, 'shutting-down');

    expect(await w.deliver(gone)).toEqual([gone]);
    expect(w.gitlab.runners.has(at.runnerId)).toBe(true);

    w.setStatus(41, 'failed');
    expect(await w.deliver(gone)).toEqual([]);

    expect(w.gitlab.jobs.get(41)?.retriedAs).toBe(42);
    expect(w.ledger.items.get(41)).toMatchObject({ interrupted: true, retried: true });
    expect(w.gitlab.runners.has(at.runnerId)).toBe(false);
  });

  it('does not take a failed job for a running one while the instance still runs', async () => {
    const w = lifecycleWorld();
    const at = await w.launched(41);
    w.gitlab.pickUp(41, at.runnerId);
    w.setStatus(41, 'failed');

    await w.deliver(spotWarning(at.instanceId));

    expect(w.ledger.items.get(41)?.state).toBe('launched');
    expect(w.observer.events).toEqual([`spot ${at.instanceId} idle`]);
  });
});
