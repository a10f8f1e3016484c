import { describe, expect, it } from 'vitest';
import { canMove, JOB_STATES, type JobState } from '../../lambdas/shared/job-table/states';

describe('job states: where a job may move', () => {
  it.each<[JobState | undefined, readonly JobState[]]>([
    [undefined, ['claimed', 'running', 'finished']],
    ['claimed', ['claimed', 'launched', 'skipped', 'running', 'finished']],
    ['launched', ['running', 'finished', 'lost']],
    ['skipped', ['running', 'finished']],
    ['running', ['finished']],
    ['finished', []],
    ['lost', ['claimed', 'running', 'finished']],
  ])('moves a job in %s only to %j', (from, allowed) => {
    expect(JOB_STATES.filter((to) => canMove(from, to))).toEqual(allowed);
  });
});
