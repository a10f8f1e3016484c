import { describe, expect, it } from 'vitest';
import { cleanedUpAlready, goneCleanup, reclaimEvidence } from '../../lambdas/lifecycle/decide-instance-gone';
import {
  decideSpotWarning,
  needsRetry,
  settleActions,
  unmarked,
  warnedInstanceIsOurs,
} from '../../lambdas/lifecycle/decide-interruption';
import type { JobRecord, LaunchedRunner } from '../../lambdas/shared/job-table/record';
import { jobRecord } from './job-record';

const running = jobRecord({ state: 'running' });
const failed = jobRecord({ state: 'finished', finishedStatus: 'failed' });
const interrupted = (changes: Partial<JobRecord>) => jobRecord({ interrupted: true, ...changes });
const launch = (changes: Partial<LaunchedRunner> = {}): LaunchedRunner => ({
  jobId: 41,
  runnerId: 7,
  warned: false,
  ...changes,
});

describe('decide interruption: which jobs a reclaim hit and which still need a retry', () => {
  it.each<[string, JobRecord, boolean, boolean]>([
    ['running, unmarked', running, true, false],
    ['failed there, unmarked (GitLab fails a job whose runner vanished)', failed, true, false],
    ['succeeded', jobRecord({ state: 'finished', finishedStatus: 'success' }), false, false],
    ['still launched', jobRecord(), false, false],
    ['interrupted while running', interrupted({ state: 'running' }), false, true],
    ['interrupted, then failed', interrupted({ state: 'finished', finishedStatus: 'failed' }), false, true],
    [
      'interrupted, cancelled by Spotlab to retry it',
      interrupted({ state: 'finished', finishedStatus: 'canceled', cancelledForRetry: true }),
      false,
      true,
    ],
    [
      'interrupted, cancelled by someone else',
      interrupted({ state: 'finished', finishedStatus: 'canceled' }),
      false,
      false,
    ],
    ['interrupted, succeeded', interrupted({ state: 'finished', finishedStatus: 'success' }), false, false],
    ['interrupted and retried already', interrupted({ state: 'running', retried: true }), false, false],
  ])('%s', (_name, record, isUnmarked, retry) => {
    expect([unmarked(record), needsRetry(record)]).toEqual([isUnmarked, retry]);
  });

  it.each<[string, JobRecord[], LaunchedRunner[], boolean, string]>([
    ['gone already, with a job recorded', [running], [], true, 'settle'],
    ['gone already, with only a launch recorded', [], [launch()], true, 'settle'],
    ['alive, a job running', [jobRecord(), running], [], false, 'interrupt'],
    ['alive, no job recorded running: ask its runners', [jobRecord()], [launch()], false, 'recover'],
    ['gone, nothing recorded (maybe not ours)', [], [], true, 'recover'],
  ])('a spot warning, %s: %s', (_name, records, launched, gone, plan) => {
    expect(decideSpotWarning(records, launched, gone).kind).toBe(plan);
  });

  it.each<[string, JobRecord[], LaunchedRunner[], boolean, boolean]>([
    ['named by the table', [jobRecord()], [], true, true],
    ['named by a launch record', [], [launch()], true, true],
    ['listed alive by EC2 with the stack tag', [], [], false, true],
    ['named by nothing and not listed', [], [], true, false],
  ])('a warned instance %s is ours: %s', (_name, records, launched, gone, ours) => {
    expect(warnedInstanceIsOurs(records, launched, gone)).toBe(ours);
  });

  it('marks every unmarked job of a reclaimed instance, the recovered ones too, then retries each once', () => {
    const recovered = jobRecord({ jobId: 50, state: 'running' });
    const earlier = interrupted({ jobId: 42, state: 'finished', finishedStatus: 'failed' });

    expect(settleActions('i-0aaa', [running, earlier], [recovered])).toEqual([
      { kind: 'mark-interrupted', jobId: 41, instanceId: 'i-0aaa' },
      { kind: 'mark-interrupted', jobId: 50, instanceId: 'i-0aaa' },
      { kind: 'retry', jobId: 42 },
      { kind: 'retry', jobId: 41 },
      { kind: 'retry', jobId: 50 },
    ]);
  });
});

describe('decide instance gone', () => {
  it.each<[string, JobRecord[], boolean]>([
    ['no job recorded there', [], false],
    [
      'every job cleaned up when it finished',
      [jobRecord({ state: 'finished', finishedStatus: 'success', cleanedUp: true })],
      true,
    ],
    ['a job cleaned up, then failed there unmarked', [jobRecord({ ...failed, cleanedUp: true })], false],
    ['a job still running', [running], false],
  ])('cleaned up already: %s: %s', (_name, records, cleaned) => {
    expect(cleanedUpAlready(records)).toBe(cleaned);
  });

  it.each<[string, JobRecord[], LaunchedRunner[], string]>([
    ['a job marked interrupted', [interrupted({ state: 'running' })], [], 'reclaimed'],
    ['a launch warned', [], [launch({ warned: true })], 'reclaimed'],
    ['a job running unmarked: EC2 knows', [running], [], 'ask_ec2'],
    ['only a runner can name the job it ran: EC2 knows', [], [launch()], 'ask_ec2'],
    [
      'nothing that may have died with it',
      [jobRecord({ state: 'finished', finishedStatus: 'success' })],
      [],
      'not_reclaimed',
    ],
  ])('reclaimed by spot: %s: %s', (_name, records, launched, evidence) => {
    expect(reclaimEvidence(records, launched)).toBe(evidence);
  });

  it('deletes every runner the table ties to the instance once, then its token, and terminates nothing', () => {
    expect(
      goneCleanup(
        'i-0aaa',
        [running, jobRecord({ jobId: 50, runnerId: 9 })],
        [launch(), launch({ jobId: 43, runnerId: 9 })],
      ),
    ).toEqual([
      { kind: 'delete-runner', runnerId: 7, jobIds: [41], reason: 'instance_gone' },
      { kind: 'delete-runner', runnerId: 9, jobIds: [50, 43], reason: 'instance_gone' },
      { kind: 'delete-token', instanceId: 'i-0aaa' },
    ]);
  });

  it('deletes no runner an item or a launch record records deleted already (the finished hook did)', () => {
    expect(
      goneCleanup(
        'i-0aaa',
        [jobRecord({ state: 'finished', runnersDeleted: [7] }), jobRecord({ jobId: 50, runnerId: 9 })],
        [launch(), launch({ jobId: 43, runnerId: 9, deleted: true })],
      ),
    ).toEqual([{ kind: 'delete-token', instanceId: 'i-0aaa' }]);
  });
});
