import { describe, expect, it } from 'vitest';
import { parseWebhookBody } from '../../lambdas/webhook/job-hook';
import { hookOf } from '../../sim/world/webhooks';
import type { Attempt, LogicalJob } from '../../sim/world/world';

const T0 = Date.UTC(2026, 2, 2, 9);
const LOGICAL: LogicalJob = {
  index: 41,
  projectId: 103,
  tags: [],
  workMs: 212_000,
  interruptPending: false,
  attempts: [],
};

const PENDING: Attempt = { jobId: 7_000_000_041, logical: LOGICAL, retriesCount: 0, createdAt: T0 };
const RUNNING: Attempt = {
  ...PENDING,
  startedAt: T0 + 31_613,
  runner: { id: 9_042, description: 'spotlab i-0000000000000002a' },
};
const FAILED: Attempt = {
  ...RUNNING,
  retriesCount: 1,
  finishedAt: T0 + 143_877,
  failureReason: 'runner_system_failure',
};

// The simulator hands its hooks to the webhook's routing without the parser (sim/world/webhooks.ts):
// the parser must give each one back unchanged, whatever the status and the job's progress.
describe('the simulated Job Hook', () => {
  it.each([
    ['pending', PENDING],
    ['running', RUNNING],
    ['success', { ...RUNNING, finishedAt: T0 + 243_613 }],
    ['failed', FAILED],
    ['canceled', { ...PENDING, finishedAt: T0 + 5_000 }],
  ] as const)('reads back unchanged through the webhook parser when %s', (status, attempt) => {
    const hook = hookOf(attempt, attempt.jobId, status, T0 + 60_000);

    const parsed = parseWebhookBody(Buffer.from(JSON.stringify(hook)));

    expect(parsed).toEqual({ kind: 'job', hook });
  });

  it('carries no runner while pending, and its wait up to when a runner took it', () => {
    const hook = hookOf(RUNNING, RUNNING.jobId, 'pending', T0 + 60_000);

    expect(hook).toMatchObject({ runner: null, build_queued_duration: 31.613, build_status: 'pending' });
  });
});
