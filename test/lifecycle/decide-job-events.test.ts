import { describe, expect, it } from 'vitest';
import { decideFinished } from '../../lambdas/lifecycle/decide-job-finished';
import { decideDisplaced, decideRunning } from '../../lambdas/lifecycle/decide-job-running';
import { judgeRunner, launchIndexNeeded, type RunnerVerdict } from '../../lambdas/lifecycle/decide-placement';
import type { JobRecord, LaunchedRunner } from '../../lambdas/shared/job-table/record';
import type { Placement } from '../../lambdas/shared/job-table/views';
import { jobRecord } from './job-record';

const AT: Placement = { instanceId: 'i-0aaa', runnerId: 7 };
const launch = (jobId: number, runnerId = 7): LaunchedRunner => ({ jobId, runnerId, warned: false });
const recorded: RunnerVerdict = { kind: 'recorded', placement: AT };

describe('decide placement: whether Spotlab registered the runner a hook names', () => {
  it.each<[string, Placement | undefined, JobRecord | undefined, LaunchedRunner[], RunnerVerdict['kind']]>([
    ['no runner, or one not described as Spotlab’s', undefined, undefined, [], 'not_ours'],
    ['the runner launched for the job itself', AT, jobRecord(), [], 'recorded'],
    ['a runner launched on that instance for another job', AT, undefined, [launch(40)], 'recorded'],
    [
      'a runner id no launch on that instance registered',
      { ...AT, runnerId: 666 },
      jobRecord(),
      [launch(41)],
      'unrecorded',
    ],
    [
      'the job’s own runner, named on another instance',
      { ...AT, instanceId: 'i-0bbb' },
      jobRecord(),
      [],
      'unrecorded',
    ],
    ['a job Spotlab never saw, on an instance with no launch', AT, undefined, [], 'unrecorded'],
    [
      'a job recorded running there, whose instance’s launch moved on',
      AT,
      jobRecord({ state: 'running', launchInstanceId: undefined, launchRunnerId: undefined }),
      [],
      'recorded',
    ],
  ])('%s', (_name, claimed, own, launchedOn, verdict) => {
    expect(judgeRunner(claimed, own, launchedOn).kind).toBe(verdict);
  });

  it.each<[string, Placement | undefined, JobRecord | undefined, boolean]>([
    ['no runner claimed', undefined, jobRecord(), false],
    ['the job’s own launch settles it', AT, jobRecord(), false],
    ['a job with no item', AT, undefined, true],
    [
      'a job launched elsewhere, not running yet',
      AT,
      jobRecord({ instanceId: 'i-0bbb', runnerId: 8, launchInstanceId: 'i-0bbb', launchRunnerId: 8 }),
      true,
    ],
    [
      'a job recorded running there already',
      AT,
      jobRecord({ state: 'running', launchInstanceId: 'i-0bbb', launchRunnerId: 8 }),
      false,
    ],
  ])('reads the launch index only when needed: %s', (_name, claimed, own, needed) => {
    expect(launchIndexNeeded(claimed, own)).toBe(needed);
  });
});

describe('decide job running', () => {
  it.each<[string, RunnerVerdict, string]>([
    ['a runner not described as Spotlab’s', { kind: 'not_ours' }, 'not_our_runner'],
    ['a runner Spotlab never registered there', { kind: 'unrecorded', placement: AT }, 'unrecorded_runner'],
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
      { kind: 'unrecorded', placement: AT },
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
        { kind: 'delete-runner', runnerId: 7, reason: 'job_finished' },
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
