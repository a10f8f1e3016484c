import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { ListEventSourceMappingsCommand, UpdateEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { drainCommand } from '../../cli/commands/drain';
import { resumeCommand } from '../../cli/commands/resume';
import {
  aws,
  DEMAND_URL,
  fleetIs,
  instance,
  jobsAre,
  MAPPING_UUID,
  mappingIs,
  queuesAre,
  run,
  stackDeployed,
  stackIsMissing,
} from './harness';

const BUSY = 'i-0aaaaaaaaaaaaaaa1';
const IDLE = 'i-0bbbbbbbbbbbbbbb2';

beforeEach(() => {
  stackDeployed();
  queuesAre({ [DEMAND_URL]: [4, 0] });
  jobsAre({ [BUSY]: [1001, 'running'] });
  aws.lambda.on(UpdateEventSourceMappingCommand).callsFake((input: { Enabled?: boolean }) => ({
    UUID: MAPPING_UUID,
    State: input.Enabled === true ? 'Enabling' : 'Disabling',
  }));
});

const updates = () => aws.lambda.commandCalls(UpdateEventSourceMappingCommand).map((c) => c.args[0].input);

describe('spotlab drain with instances still working', () => {
  beforeEach(() => {
    mappingIs('Enabled');
    fleetIs([instance(BUSY, 'arm-docker'), instance(IDLE, 'x86-docker')]);
  });

  it('disables the scale-up mapping, then lists the instances left and how each ends, exit 0', async () => {
    const { code, stdout } = await run(drainCommand, []);

    expect(code).toBe(0);
    expect(updates()).toEqual([{ UUID: MAPPING_UUID, Enabled: false }]);
    expect(stdout).toContain('Launching disabled (scale-up event source mapping: Enabled -> Disabling).');
    expect(stdout).toContain('4 job(s) wait in the demand queue; `spotlab resume` launches them.');
    expect(stdout).toContain('2 instance(s) left:');
    expect(stdout).toMatch(
      new RegExp(
        `${BUSY}\\s+arm-docker\\s+running\\s+running a job\\s+1001\\s+when job 1001 ends, at most 180 min after launch`,
      ),
    );
    expect(stdout).toMatch(
      new RegExp(
        `${IDLE}\\s+x86-docker\\s+running\\s+idle\\s+-\\s+reaped once idle for 300s \\(\\+300s boot grace\\)`,
      ),
    );
  });

  it('prints what it did and what remains as one JSON document', async () => {
    const { code, stdout } = await run(drainCommand, ['--json']);

    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      launching: { before: 'Enabled', after: 'Disabling', changed: true },
      remaining: [
        expect.objectContaining({ instanceId: BUSY, activity: 'running a job', jobId: 1001 }),
        expect.objectContaining({ instanceId: IDLE, activity: 'idle', jobId: null }),
      ],
      waited: false,
      timedOut: false,
      demandWaiting: 4,
    });
  });

  it('is idempotent: a second drain changes nothing and says so', async () => {
    mappingIs('Disabled');

    const { code, stdout } = await run(drainCommand, []);

    expect(code).toBe(0);
    expect(updates()).toEqual([]);
    expect(stdout).toContain('Launching was already disabled (Disabled); nothing changed.');
  });

  it('with --wait, polls until the last instance is gone, exit 0', async () => {
    aws.ec2
      .on(DescribeInstancesCommand)
      .resolvesOnce({
        Reservations: [{ Instances: [instance(BUSY, 'arm-docker'), instance(IDLE, 'x86-docker')] }],
      })
      .resolvesOnce({ Reservations: [{ Instances: [instance(BUSY, 'arm-docker')] }] })
      .resolves({ Reservations: [] });
    const slept: number[] = [];

    const { code, stdout, stderr } = await run(drainCommand, ['--wait', '--interval', '10s'], {
      sleep: async (ms) => {
        slept.push(ms);
      },
    });

    expect(code).toBe(0);
    expect(slept).toEqual([10_000, 10_000]);
    expect(stderr).toContain('waiting: 2 instance(s) left, 1 running a job');
    expect(stdout).toContain('No instance left: drained.');
  });

  it('with --wait, gives up when --timeout runs out, listing what is left, exit 1', async () => {
    const { code, stdout } = await run(drainCommand, [
      '--wait',
      '--timeout',
      '20s',
      '--interval',
      '15s',
      '--json',
    ]);

    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ waited: true, timedOut: true, remaining: [{}, {}] });
  });
});

describe('spotlab drain with nothing running', () => {
  it('disables launching and says the fleet is drained already', async () => {
    mappingIs('Enabled');
    fleetIs([]);

    const { code, stdout } = await run(drainCommand, []);

    expect(code).toBe(0);
    expect(stdout).toContain('No instance left: drained.');
  });
});

describe('spotlab drain on a broken setup', () => {
  it('says the stack is not deployed, exit 1, and changes nothing', async () => {
    stackIsMissing();

    const { code, stderr } = await run(drainCommand, []);

    expect(code).toBe(1);
    expect(stderr).toContain('stack Spotlab is not deployed');
    expect(updates()).toEqual([]);
  });

  it('says the mapping is missing and that a deploy restores it, exit 1', async () => {
    fleetIs([]);
    aws.lambda.on(UpdateEventSourceMappingCommand).rejects(new Error('should not be called'));
    mappingNone();

    const { code, stderr, stdout } = await run(drainCommand, ['--json']);

    expect(code).toBe(1);
    expect(stderr).toContain('has no event source mapping on the demand queue');
    expect(JSON.parse(stdout)).toEqual({
      ok: false,
      error: expect.stringContaining('no event source mapping'),
      fix: 'Run `npx cdk deploy` to restore it.',
    });
  });

  it('refuses a malformed --timeout with exit 2', async () => {
    const { code, stderr } = await run(drainCommand, ['--wait', '--timeout', 'soon']);

    expect(code).toBe(2);
    expect(stderr).toContain('--timeout: must be a duration such as 90s, 15m or 2h');
  });
});

describe('spotlab resume', () => {
  it('re-enables the mapping after a drain, exit 0', async () => {
    mappingIs('Disabled');

    const { code, stdout } = await run(resumeCommand, []);

    expect(code).toBe(0);
    expect(updates()).toEqual([{ UUID: MAPPING_UUID, Enabled: true }]);
    expect(stdout).toBe('Launching enabled (scale-up event source mapping: Disabled -> Enabling).\n');
  });

  it('changes nothing when launching is enabled', async () => {
    mappingIs('Enabled');

    const { code, stdout } = await run(resumeCommand, ['--json']);

    expect(code).toBe(0);
    expect(updates()).toEqual([]);
    expect(JSON.parse(stdout)).toEqual({
      launching: { before: 'Enabled', after: 'Enabled', changed: false },
    });
  });
});

function mappingNone(): void {
  aws.lambda.on(ListEventSourceMappingsCommand).resolves({ EventSourceMappings: [] });
}
