import { describe, expect, it } from 'vitest';
import { runBurst } from '../../bench/scale-up';
import { EVENT_SOURCE } from '../../sim/sqs-event-source';

// runBurst throws unless every job ends with exactly one running instance, one runner named after
// it and that runner's token stored for it; these tests add what each scenario must also show.
describe('scale-up burst over the SQS event source model', () => {
  it('launches each job of a 100-job burst once, with no throttled EC2 call and no redelivery', async () => {
    const figures = await runBurst(100);

    expect(figures).toMatchObject({
      jobs: 100,
      jobsLaunchedOnce: 100,
      throttled: 0,
      redeliveries: 0,
      lostMessages: 0,
      failures: 0,
    });
    expect(figures.spotInstances + figures.onDemandInstances).toBe(100);
    // The injected 5% spot shortfall is filled on demand.
    expect(figures.onDemandInstances).toBe(5);
    expect(figures.ec2MutatingCallsPerJob).toBeLessThanOrEqual(0.1);
    expect(figures.gitlabCallsPerJob).toBeLessThanOrEqual(3);
  });

  it('launches jobs GitLab could not answer once SQS redelivers them after the visibility timeout', async () => {
    const figures = await runBurst(100, { gitlabFaults: [503, 502, 503] });

    expect(figures).toMatchObject({ jobsLaunchedOnce: 100, redeliveries: 3, lostMessages: 0, throttled: 0 });
    expect(figures.launchSpanMs).toBeGreaterThanOrEqual(EVENT_SOURCE.visibilityTimeoutMs);
  });

  it('launches every job once when DescribeInstances fails after the jobs were claimed', async () => {
    // The invocation fails, so SQS redelivers its whole batch after 360 s: the claims it made must
    // not make that redelivery skip the jobs as already claimed.
    const figures = await runBurst(100, { failedDescribes: 1 });

    expect(figures).toMatchObject({ jobsLaunchedOnce: 100, lostMessages: 0 });
  });

  it('leaves no instance without a runner when the on-demand fallback is throttled after a partial spot launch', async () => {
    // 6 CreateFleet calls in the bucket, one more every 5 s: the x86 pool's on-demand calls are refused.
    const figures = await runBurst(100, { mutatingBucket: { capacity: 6, refillPerSecond: 0.2 } });

    expect(figures.throttled).toBeGreaterThan(0);
    expect(figures).toMatchObject({ jobsLaunchedOnce: 100, lostMessages: 0 });
  });

  it("serves a 3,000-job burst beyond the launch bucket with nothing lost, paced to the bucket's limit", async () => {
    const figures = await runBurst(3_000, { capsRaised: true });

    expect(figures).toMatchObject({ jobsLaunchedOnce: 3_000, lostMessages: 0, expired: 0, throttled: 0 });
    expect(figures.gitlabCallsPerJob).toBeLessThanOrEqual(2.5);
    expect(figures.ec2MutatingCallsPerJob).toBeLessThanOrEqual(0.1);
    // 1,000 at once, then 2 a second: the last of 3,000 cannot launch before 1,000 s.
    expect(figures.launchSpanMs).toBeGreaterThanOrEqual(1_000_000);
    expect(figures.launchSpanMs).toBeLessThanOrEqual(1_100_000);
  });
});
