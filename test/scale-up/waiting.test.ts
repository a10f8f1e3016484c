import { describe, expect, it } from 'vitest';
import {
  deferralDelays,
  EC2_LAUNCH_RATE,
  freshPacer,
  LaunchPacer,
  launchBudget,
  MAX_DELAY_SECONDS,
  spend,
  tokensFromLaunches,
} from '../../lambdas/scale-up/launch-pacing';
import type { DemandRequeue } from '../../lambdas/scale-up/ports';
import { scaleUp } from '../../lambdas/scale-up/scale-up';
import type { DemandMessage } from '../../lambdas/shared/job-messages';
import { RequestLimitExceeded } from '../../sim/in-memory-ec2';
import { demand, world } from './scale-up-world';

const T0 = Date.UTC(2026, 10, 23, 9, 0, 0);

/** A demand queue that keeps what scale-up re-sent, with its delay. */
function recordingQueue(): DemandRequeue & { sent: { message: DemandMessage; delaySeconds: number }[] } {
  const sent: { message: DemandMessage; delaySeconds: number }[] = [];
  return {
    sent,
    send: async (message, delaySeconds = 0) => {
      sent.push({ message, delaySeconds });
    },
  };
}

describe('launch pacing: the instance-launch bucket, 1,000 then 2 a second', () => {
  it('grants the whole burst at once, then what the refill brings', () => {
    const spent = spend(freshPacer(EC2_LAUNCH_RATE, T0), EC2_LAUNCH_RATE, T0, 1_000);

    expect(launchBudget(spent, EC2_LAUNCH_RATE, T0)).toBe(0);
    expect(launchBudget(spent, EC2_LAUNCH_RATE, T0 + 25_000)).toBe(50);
    expect(launchBudget(spent, EC2_LAUNCH_RATE, T0 + 3_600_000)).toBe(1_000);
  });

  it('promises waiting jobs the next tokens, a batch of 50 coming back together every 25 s', () => {
    const empty = spend(freshPacer(EC2_LAUNCH_RATE, T0), EC2_LAUNCH_RATE, T0, 1_000);

    const { delaysSeconds } = deferralDelays(empty, EC2_LAUNCH_RATE, T0, 120, 50);

    expect(new Set(delaysSeconds.slice(0, 50))).toEqual(new Set([25]));
    expect(new Set(delaysSeconds.slice(50, 100))).toEqual(new Set([50]));
    expect(new Set(delaysSeconds.slice(100))).toEqual(new Set([75]));
  });

  it('queues a later deferral behind the slots promised before it', () => {
    const empty = spend(freshPacer(EC2_LAUNCH_RATE, T0), EC2_LAUNCH_RATE, T0, 1_000);
    const first = deferralDelays(empty, EC2_LAUNCH_RATE, T0, 50, 50);

    const second = deferralDelays(first.state, EC2_LAUNCH_RATE, T0, 50, 50);

    expect(second.delaysSeconds[0]).toBe(50);
  });

  it("promises no slot beyond SQS's 900 s delay: those jobs wait 900 s and ask again", () => {
    const empty = spend(freshPacer(EC2_LAUNCH_RATE, T0), EC2_LAUNCH_RATE, T0, 1_000);

    const { delaysSeconds, state } = deferralDelays(empty, EC2_LAUNCH_RATE, T0, 5_000, 50);

    expect(Math.max(...delaysSeconds)).toBe(MAX_DELAY_SECONDS);
    expect(delaysSeconds.filter((d) => d === MAX_DELAY_SECONDS).length).toBeGreaterThan(3_000);
    expect(state.promisedUntil - T0).toBeLessThanOrEqual(MAX_DELAY_SECONDS * 1000);
  });

  it("reads the bucket from the stack's instances' launch times", () => {
    const launches = Array.from({ length: 1_000 }, () => T0);

    expect(tokensFromLaunches(launches, EC2_LAUNCH_RATE, T0)).toBe(0);
    expect(tokensFromLaunches(launches, EC2_LAUNCH_RATE, T0 + 10_000)).toBe(20);
    expect(tokensFromLaunches([], EC2_LAUNCH_RATE, T0)).toBe(1_000);
  });

  it('grants nothing below a batch when more is wanted, so a trickle does not cost one call each', () => {
    const pacer = new LaunchPacer(EC2_LAUNCH_RATE, T0);
    pacer.reserve(990, T0);

    expect(pacer.reserve(40, T0, 50)).toBe(0);
    expect(pacer.reserve(8, T0, 50)).toBe(8);
  });
});

describe('scale-up: a job that must wait is re-sent with a delay, its receives unspent', () => {
  it('re-sends what the launch rate has no room for, with the GitLab answer it was routed by', async () => {
    const requeue = recordingQueue();
    const pacer = new LaunchPacer({ burst: 2, perSecond: 2 }, T0);
    const w = world({ requeue, pacer, deferChunk: 2 });
    for (const id of [50, 51, 52]) w.gitlab.addJob(id, 380, ['arm64']);

    const retry = await scaleUp([demand(50), demand(51), demand(52)], w.deps);

    expect(retry).toEqual([]);
    expect(w.ec2.running()).toHaveLength(2);
    expect(requeue.sent).toHaveLength(1);
    expect(requeue.sent[0]?.delaySeconds).toBeGreaterThan(0);
    expect(requeue.sent[0]?.message).toMatchObject({
      jobId: 52,
      deferrals: 1,
      checked: { at: new Date(T0).toISOString(), tagList: ['arm64'] },
    });
    expect(w.ledger.items.get(52)).toBeUndefined();
    expect(w.observer.events).toContain('deferred arm-docker launch_rate 1');
  });

  it('launches a re-sent job without asking GitLab again while its answer is fresh', async () => {
    const requeue = recordingQueue();
    const w = world({ requeue, pacer: new LaunchPacer({ burst: 1, perSecond: 1 }, T0), deferChunk: 1 });
    for (const id of [60, 61]) w.gitlab.addJob(id, 380, ['arm64']);
    await scaleUp([demand(60), demand(61)], w.deps);
    const calls = w.gitlab.totalCalls;
    w.clock.advance(30_000);

    const message = requeue.sent[0]?.message;
    if (message === undefined) throw new Error('nothing re-sent');
    const retry = await scaleUp([{ messageId: 'again', demand: message }], w.deps);

    expect(retry).toEqual([]);
    expect(w.ledger.items.get(61)?.state).toBe('launched');
    // Only the runner was created: the job was not read again.
    expect(w.gitlab.totalCalls - calls).toBe(1);
  });

  it('re-sends the jobs of a CreateFleet that EC2 throttled, releasing their claims', async () => {
    const requeue = recordingQueue();
    const w = world({ requeue, pacer: new LaunchPacer(EC2_LAUNCH_RATE, T0) });
    w.gitlab.addJob(70, 380, ['arm64']);
    w.deps.fleet.launch = async () => {
      throw new RequestLimitExceeded('instance launch rate');
    };

    const retry = await scaleUp([demand(70)], w.deps);

    expect(retry).toEqual([]);
    expect(requeue.sent.map((s) => s.message.jobId)).toEqual([70]);
    expect(w.ledger.items.get(70)).toBeUndefined();
    expect(w.observer.events).toContain('deferred arm-docker throttled 1');
  });

  it('re-sends jobs over a cap to look again in a minute', async () => {
    const requeue = recordingQueue();
    const w = world({ requeue, limits: { maxInstances: 1, maxSpendPerHourUsd: 100 } });
    for (const id of [80, 81]) w.gitlab.addJob(id, 380, ['arm64']);

    const retry = await scaleUp([demand(80), demand(81)], w.deps);

    expect(retry).toEqual([]);
    expect(requeue.sent.map((s) => [s.message.jobId, s.delaySeconds])).toEqual([[81, 60]]);
  });

  it("reports a job whose wait carries it past GitLab's hour, once", async () => {
    const requeue = recordingQueue();
    const w = world({ requeue, limits: { maxInstances: 0, maxSpendPerHourUsd: 100 } });
    w.gitlab.addJob(90, 380, ['arm64']);
    w.clock.advance(59.5 * 60_000);

    await scaleUp([demand(90)], w.deps);
    w.clock.advance(60_000);
    const again = requeue.sent[0]?.message;
    if (again === undefined) throw new Error('nothing re-sent');
    await scaleUp([{ messageId: 'again', demand: again }], w.deps);

    expect(w.observer.events.filter((e) => e.startsWith('at risk'))).toEqual(['at risk 90']);
  });

  it('acknowledges demand two hours old as expired, launching nothing and asking GitLab nothing', async () => {
    const w = world({ requeue: recordingQueue() });
    w.gitlab.addJob(95, 380, ['arm64']);
    w.clock.advance(2 * 60 * 60_000 + 1);

    const retry = await scaleUp([demand(95)], w.deps);

    expect(retry).toEqual([]);
    expect(w.gitlab.totalCalls).toBe(0);
    expect(w.observer.events).toContain('expired 95');
  });

  it('retries a waiting job through SQS when the re-send fails', async () => {
    const w = world({
      requeue: {
        send: async () => {
          throw new Error('SQS down');
        },
      },
      limits: { maxInstances: 0, maxSpendPerHourUsd: 100 },
    });
    w.gitlab.addJob(99, 380, ['arm64']);
    const item = demand(99);

    const retry = await scaleUp([item], w.deps);

    expect(retry).toEqual([item.messageId]);
    expect(w.observer.events).toContain('failed defer 99');
  });
});
