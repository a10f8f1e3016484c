import { describe, expect, it } from 'vitest';
import { decideFinished } from '../../lambdas/lifecycle/decide-job-finished';
import { decideDisplaced, decideRunning } from '../../lambdas/lifecycle/decide-job-running';
import {
  judgeRunner,
  launchRecordNeeded,
  type RunnerClaim,
  type RunnerVerdict,
} from '../../lambdas/lifecycle/decide-placement';
import type { JobRecord, LaunchedRunner } from '../../lambdas/shared/job-table/record';
import type { Placement } from '../../lambdas/shared/job-table/views';
import { jobRecord } from './job-record';

const AT: Placement = { instanceId: 'i-0aaa', runnerId: 7 };
const launch = (jobId: number, runnerId = 7): LaunchedRunner => ({ jobId, runnerId, warned: false });
const recorded: RunnerVerdict = { kind: 'recorded', placement: AT, namedBy: [41], deleted: false };
/** The hook's runner 7, described `spotlab job 41` (the job `jobRecord` makes). */
const CLAIM: RunnerClaim = { runnerId: 7, launchJobId: 41 };

describe('decide placement: whether Spotlab registered the runner a hook names', () => {
  it.each<[string, RunnerClaim | undefined, JobRecord | undefined, JobRecord | undefined, string]>([
    ['no runner, or one not described as Spotlab’s', undefined, jobRecord(), jobRecord(), 'not_ours'],
    ['the runner launched for the job itself', CLAIM, jobRecord(), jobRecord(), 'recorded i-0aaa'],
    [
      'a runner launched for another job (the launch record names it)',
      { ...CLAIM, launchJobId: 40 },
      undefined,
      jobRecord({ jobId: 40 }),
      'recorded i-0aaa',
    ],
    [
      'a runner id the named job’s launch did not register',
      { ...CLAIM, runnerId: 666 },
      jobRecord(),
      jobRecord(),
      'unrecorded',
    ],
    [
      'a description naming a job Spotlab never launched for',
      { ...CLAIM, launchJobId: 40 },
      undefined,
      undefined,
      'unrecorded',
    ],
    [
      'a job recorded running on that runner, whose named launch moved on',
      { ...CLAIM, launchJobId: 40 },
      jobRecord({ state: 'running', launchInstanceId: undefined, launchRunnerId: undefined }),
      jobRecord({ jobId: 40, launchInstanceId: 'i-0ccc', launchRunnerId: 9 }),
      'recorded i-0aaa',
    ],
  ])('%s', (_name, claim, own, launched, verdict) => {
    const judged = judgeRunner(claim, own, launched);

    expect(judged.kind === 'recorded' ? `recorded ${judged.placement.instanceId}` : judged.kind).toBe(
      verdict,
    );
  });

  it.each<[string, RunnerClaim | undefined, boolean]>([
    ['no runner claimed', undefined, false],
    ['the runner created for the job itself', CLAIM, false],
    ['a runner created for another job', { ...CLAIM, launchJobId: 40 }, true],
  ])(
    'reads the named job’s launch record besides the job’s own only when needed: %s',
    (_name, claim, needed) => {
      expect(launchRecordNeeded(claim, 41)).toBe(needed);
    },
  );
});

describe('decide job running', () => {
  it.each<[string, RunnerVerdict, string]>([
    ['a runner not described as Spotlab’s', { kind: 'not_ours' }, 'not_our_runner'],
    ['a runner Spotlab never registered there', { kind: 'unrecorded', claim: CLAIM }, 'unrecorded_runner'],
    ['a runner a launch registered there', recorded, 'record'],
  ])('%s: %s', (_name, verdict, plan) => {
    expect(decideRunning(verdict).kind).toBe(plan);
  });

  const running = { jobId: 50, receivedAt: '2026-11-23T09:00:00.000Z' };
  it.each<
    [
      string,
      { recorded: boolean; pool: string | undefined; launchedOn: string | undefined },
      number[],
      string | undefined,
    ]
  >([
    [
      'a job with no launch of its own gives back every other launch there',
      { recorded: true, pool: undefined, launchedOn: undefined },
      [41, 42],
      undefined,
    ],
    [
      'a job launched elsewhere leaves its spare instance to them (same pool)',
      { recorded: true, pool: 'arm-docker', launchedOn: 'i-0bbb' },
      [41, 42],
      'arm-docker',
    ],
    [
      'a job launched on this very instance displaces nobody',
      { recorded: true, pool: 'arm-docker', launchedOn: 'i-0aaa' },
      [],
      undefined,
    ],
    [
      'a duplicate running displaces nobody',
      { recorded: false, pool: undefined, launchedOn: undefined },
      [],
      undefined,
    ],
  ])('%s', (_name, outcome, jobIds, sparePool) => {
    const actions = decideDisplaced(running, AT, outcome, [launch(41), launch(50), launch(42, 9)]);

    expect(actions.map((a) => a.jobId)).toEqual(jobIds);
    for (const action of actions)
      expect(action).toEqual({
        kind: 'give-back',
        jobId: action.jobId,
        instanceId: 'i-0aaa',
        sparePool,
        receivedAt: running.receivedAt,
      });
  });
});

describe('decide job finished', () => {
  const job = { jobId: 41, projectId: 380, status: 'success' } as const;

  it.each<[string, JobRecord | undefined, RunnerVerdict, string]>([
    ['a duplicate finished', jobRecord({ state: 'finished' }), recorded, 'already_finished'],
    ['a job never seen, run by another runner', undefined, { kind: 'not_ours' }, 'not_our_runner'],
    [
      'a runner Spotlab never registered there',
      jobRecord(),
      { kind: 'unrecorded', claim: CLAIM },
      'unrecorded_runner',
    ],
    ['a job Spotlab launched for, cancelled while pending', jobRecord(), { kind: 'not_ours' }, 'act'],
    ['a job a recorded runner ran', jobRecord({ state: 'running' }), recorded, 'act'],
  ])('%s: %s', (_name, existing, verdict, plan) => {
    expect(decideFinished(job, existing, verdict).kind).toBe(plan);
  });

  it('cleans up the instance, runner and token in that order, and records the job finished last', () => {
    expect(decideFinished(job, jobRecord({ state: 'running' }), recorded)).toEqual({
      kind: 'act',
      actions: [
        { kind: 'terminate', instanceId: 'i-0aaa', reason: 'job_finished' },
        { kind: 'delete-runner', runnerId: 7, jobIds: [41], reason: 'job_finished' },
        { kind: 'delete-token', instanceId: 'i-0aaa' },
        { kind: 'record-finished', ...job, placement: AT },
      ],
    });
  });

  it('deletes no runner an instance-gone cleanup recorded deleted, and still terminates and records', () => {
    expect(decideFinished(job, jobRecord({ state: 'running' }), { ...recorded, deleted: true })).toEqual({
      kind: 'act',
      actions: [
        { kind: 'terminate', instanceId: 'i-0aaa', reason: 'job_finished' },
        { kind: 'delete-token', instanceId: 'i-0aaa' },
        { kind: 'record-finished', ...job, placement: AT },
      ],
    });
  });

  it('only records a job with nothing of Spotlab’s to clean up', () => {
    expect(decideFinished(job, jobRecord(), { kind: 'not_ours' })).toEqual({
      kind: 'act',
      actions: [{ kind: 'record-finished', ...job, placement: undefined }],
    });
  });
});
