import { describe, expect, it, vi } from 'vitest';
import { missedTargets, runFaults } from '../../bench/faults';
import { InMemoryJobTable } from '../../sim/in-memory-job-table';
import { InMemoryTokenStore } from '../../sim/in-memory-stores';
import { faultScenario } from '../../sim/world/fault-scenario';
import type { FaultOptions } from '../../sim/world/scenario';
import { vmExit } from '../../sim/world/vms';
import { sendEc2Event } from '../../sim/world/webhooks';
import { type Vm, World } from '../../sim/world/world';

const SCENARIO = { seed: 42, jobs: 150 } as const;

const ADDED_OFF = {
  ec2EventDuplicateRate: 0,
  ec2EventDelayRate: 0,
  dynamoThrottleRate: 0,
  ssmThrottleRate: 0,
  runnerSelfDeleteFailRate: 0,
} as const;

const WARNING = 'EC2 Spot Instance Interruption Warning';

/** A world with no jobs and only the faults given, the added ones included. */
function world(faults: Partial<FaultOptions>): World {
  return new World(faultScenario({ seed: 7, jobs: 0, ...ADDED_OFF, ...faults }));
}

/** The lifecycle queue's sends: simulated time (ms after the start) and body. */
function watchLifecycleQueue(w: World): { atMs: number; body: string }[] {
  const sent: { atMs: number; body: string }[] = [];
  vi.spyOn(w.lifecycleQueue, 'send').mockImplementation((body) => {
    sent.push({ atMs: w.scheduler.now - w.startedAt, body });
  });
  return sent;
}

/** An idle VM with its runner registered, as the bootstrap leaves it once `run-single` waits. */
async function idleVm(w: World): Promise<Vm> {
  const { instances } = await w.ec2.launch({
    pool: 'arm64-docker',
    launchTemplateId: 'lt-0abc',
    overrides: [{ subnetId: 'subnet-0a1', instanceType: 'm7g.large' }],
    count: 1,
    lifecycle: 'on-demand',
    clientToken: 'added-faults-test',
    tags: {},
  });
  const instanceId = instances[0]?.instanceId ?? '';
  const runner = await w.gitlab.createRunner({
    scope: { type: 'project' },
    projectId: 101,
    tags: ['docker'],
    runUntagged: true,
    maximumTimeoutSeconds: 3600,
    description: `spotlab ${instanceId}`,
  });
  const vm: Vm = {
    instanceId,
    pool: w.pool('arm64-docker'),
    lifecycle: 'on-demand',
    state: 'idle',
    runnerId: runner.id,
    idleEpoch: 1,
  };
  w.vms.set(instanceId, vm);
  return vm;
}

describe('added fault kinds: EventBridge, DynamoDB, SSM and the VM', () => {
  it('injects every added kind at its default rate', async () => {
    const { stats } = await runFaults(SCENARIO);

    expect(stats.ec2EventsDuplicated).toBeGreaterThan(0);
    expect(stats.ec2EventsLate).toBeGreaterThan(0);
    expect(stats.dynamoThrottled).toBeGreaterThan(0);
    expect(stats.ssmThrottled).toBeGreaterThan(0);
    expect(stats.runnerSelfDeletesFailed).toBeGreaterThan(0);
  });

  it('turns each added kind off at rate 0, and the original mix then meets every target', async () => {
    const f = await runFaults({ ...SCENARIO, ...ADDED_OFF });

    expect(f.stats).toMatchObject({
      ec2EventsDuplicated: 0,
      ec2EventsLate: 0,
      dynamoThrottled: 0,
      ssmThrottled: 0,
      runnerSelfDeletesFailed: 0,
    });
    expect(missedTargets(f)).toEqual([]);
  });

  it('delivers a duplicated EC2 event again 1–60 s later, with the same event id and time', async () => {
    const w = world({ ec2EventDuplicateRate: 1 });
    const sent = watchLifecycleQueue(w);

    sendEc2Event(w, 'i-0000000000000abcd', WARNING);
    await w.scheduler.run(() => false, w.startedAt + 600_000);

    expect(sent).toHaveLength(2);
    expect(sent[0]?.atMs).toBe(0);
    expect(sent[1]?.atMs).toBeGreaterThanOrEqual(1_000);
    expect(sent[1]?.atMs).toBeLessThanOrEqual(60_000);
    expect(sent[1]?.body).toBe(sent[0]?.body);
    expect(w.stats.ec2EventsDuplicated).toBe(1);
  });

  it('delivers a delayed EC2 event 30–120 s late, stamped with the time it happened', async () => {
    const w = world({ ec2EventDelayRate: 1 });
    const sent = watchLifecycleQueue(w);

    sendEc2Event(w, 'i-0000000000000abcd', 'EC2 Instance State-change Notification', 'terminated');
    const delivered = sent.length;
    await w.scheduler.run(() => false, w.startedAt + 600_000);

    expect(delivered).toBe(0);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.atMs).toBeGreaterThanOrEqual(30_000);
    expect(sent[0]?.atMs).toBeLessThanOrEqual(120_000);
    expect(sent[0]?.body).toContain(`"time":"${new Date(w.startedAt).toISOString()}"`);
  });

  it('never drops an EC2 event and sends it once when both rates are 0', async () => {
    const w = world({});
    const sent = watchLifecycleQueue(w);

    sendEc2Event(w, 'i-0000000000000abcd', WARNING);
    await w.scheduler.run(() => false, w.startedAt + 600_000);

    expect(sent.map((s) => s.atMs)).toEqual([0]);
  });

  it('leaves the runner registered when the VM fails to delete it, and powers off all the same', async () => {
    const w = world({ runnerSelfDeleteFailRate: 1 });
    const vm = await idleVm(w);

    vmExit(w, vm);

    expect(w.gitlab.runners.has(vm.runnerId ?? 0)).toBe(true);
    expect(w.ec2.instances.get(vm.instanceId)?.state).toBe('terminated');
    expect(w.stats.runnerSelfDeletesFailed).toBe(1);
  });

  it('deletes its own runner at exit when the rate is 0', async () => {
    const w = world({});
    const vm = await idleVm(w);

    vmExit(w, vm);

    expect(w.gitlab.runners.size).toBe(0);
    expect(w.stats.runnerSelfDeletesFailed).toBe(0);
  });
});

describe('throttled stores: a refused call writes nothing', () => {
  const THROTTLED = { name: 'ProvisionedThroughputExceededException' };

  it('refuses a claim without creating the item', async () => {
    const { ledger } = new InMemoryJobTable(() => 1_000_000);
    ledger.throttled = () => true;

    await expect(ledger.claim(41, 101)).rejects.toMatchObject(THROTTLED);
    expect(ledger.items.size).toBe(0);
  });

  it('refuses a running record and leaves the launch as it was', async () => {
    const { ledger, journal } = new InMemoryJobTable(() => 1_000_000);
    await ledger.claim(41, 101);
    journal.throttled = () => true;

    await expect(
      journal.recordRunning(41, 101, { runnerId: 9001, instanceId: 'i-0000000000000abcd' }),
    ).rejects.toMatchObject(THROTTLED);
    expect(ledger.items.get(41)?.state).toBe('claimed');
  });

  it("refuses the reaper's lost mark and leaves the item launched", async () => {
    const { ledger, sweep: table } = new InMemoryJobTable(() => 1_000_000);
    await ledger.claim(41, 101);
    const launch = { instanceId: 'i-0000000000000abcd', runnerId: 9001, pool: 'arm64-docker' };
    await ledger.recordLaunch(41, { ...launch, lifecycle: 'spot' });
    table.throttled = () => true;

    await expect(table.markLost(41, launch.instanceId)).rejects.toMatchObject(THROTTLED);
    expect(ledger.items.get(41)).toMatchObject({ state: 'launched' });
    expect(ledger.items.get(41)?.cleanedUp).toBeUndefined();
  });

  it('refuses token puts and deletes with ThrottlingException, keeping what was stored', async () => {
    const tokens = new InMemoryTokenStore(() => 1_000_000);
    await tokens.put('i-0000000000000abcd', 'glrt-kept');
    tokens.throttled = () => true;

    await expect(tokens.put('i-0000000000000ef01', 'glrt-new')).rejects.toMatchObject({
      name: 'ThrottlingException',
    });
    await expect(tokens.delete('i-0000000000000abcd')).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect([...tokens.tokens.keys()]).toEqual(['i-0000000000000abcd']);
  });
});
