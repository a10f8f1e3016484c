import { describe, expect, it } from 'vitest';
import { decideRequeue, projectsToPoll, toDemandMessage } from '../../lambdas/reaper/decide-requeue';
import type { PendingJob } from '../../lambdas/shared/gitlab/port';
import { demandMessageSchema } from '../../lambdas/shared/job-messages';
import type { JobState } from '../../lambdas/shared/job-table/states';
import type { JobItem } from '../../lambdas/shared/job-table/views';

const NOW = Date.parse('2026-11-23T09:00:00Z');
const pending = (id: number, ageSeconds: number): PendingJob => ({
  id,
  projectId: 380,
  name: 'build',
  status: 'pending',
  createdAt: new Date(NOW - ageSeconds * 1000).toISOString(),
  pipelineId: 6,
  queuedDurationSeconds: null,
});
const item = (jobId: number, state: JobState): JobItem => ({
  jobId,
  state,
  projectId: 380,
  instanceId: undefined,
  runnerId: undefined,
  cleanedUp: false,
  touchedAtMs: NOW,
});

describe('decideRequeue', () => {
  it.each<[string, JobItem | undefined, number, boolean]>([
    ['no item, older than grace', undefined, 121, true],
    ['no item, within grace', undefined, 120, false],
    ['an item marked lost', item(1, 'lost'), 600, true],
    ['claimed', item(1, 'claimed'), 600, false],
    ['launched', item(1, 'launched'), 600, false],
    ['running', item(1, 'running'), 600, false],
    ['skipped', item(1, 'skipped'), 600, false],
  ])('a pending job with %s: requeued %s', (_case, existing, age, expected) => {
    const chosen = decideRequeue(
      [pending(1, age)],
      existing === undefined ? [] : [existing],
      new Set(),
      NOW,
      120,
    );

    expect(chosen.map((j) => j.id)).toEqual(expected ? [1] : []);
  });

  it('requeues a job this sweep marked lost, and a job listed twice once', () => {
    const chosen = decideRequeue(
      [pending(1, 600), pending(1, 600)],
      [item(1, 'launched')],
      new Set([1]),
      NOW,
      120,
    );

    expect(chosen.map((j) => j.id)).toEqual([1]);
  });

  it('writes a message the demand schema accepts', () => {
    expect(demandMessageSchema.safeParse(toDemandMessage(pending(1, 600), NOW)).success).toBe(true);
  });
});

describe('projectsToPoll', () => {
  it('polls configured and recorded projects once each, rotating the start every minute', () => {
    const jobs = [item(1, 'running'), { ...item(2, 'lost'), projectId: 9 }];

    expect(projectsToPoll(jobs, [5, 380], 0)).toEqual([5, 9, 380]);
    expect(projectsToPoll(jobs, [5, 380], 60_000)).toEqual([9, 380, 5]);
  });
});
