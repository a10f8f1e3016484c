import type { ReaperObserver } from '../../lambdas/reaper/observer';
import { RunnerPageCursor } from '../../lambdas/reaper/runner-page-cursor';
import type { SweepDeps, SweepSettings } from '../../lambdas/reaper/sweep-context';
import { runnerDescription } from '../../lambdas/shared/gitlab/port';
import { TagKey } from '../../lambdas/shared/naming';
import { SimClock } from '../../sim/clock';
import { InMemoryEc2 } from '../../sim/in-memory-ec2';
import { InMemoryGitlab } from '../../sim/in-memory-gitlab';
import { InMemoryJobTable } from '../../sim/in-memory-job-table';
import {
  inMemoryReaperFleet,
  inMemoryTokenParameters,
  RecordingDemandQueue,
} from '../../sim/in-memory-reaper';
import { InMemoryTokenStore } from '../../sim/in-memory-stores';

export const STACK = 'Spotlab';
export const PROJECT = 380;
export const POOL = 'arm-docker';
export const MINUTE = 60_000;

/** Bounds of the arm-docker pool (10 min idle, 2 h life) and of a stricter gpu pool. */
export const SETTINGS: SweepSettings = {
  poolLimits: {
    [POOL]: { idleTimeoutSeconds: 600, maxLifetimeMinutes: 120 },
    gpu: { idleTimeoutSeconds: 300, maxLifetimeMinutes: 60 },
  },
  prices: { usdPerHour: {}, defaultUsdPerHour: 0.1 },
  projectIds: [],
  tokenPickupSeconds: 600,
  bootGraceSeconds: 300,
  pendingGraceSeconds: 120,
  maxPagesPerSweep: 10,
  runnerScope: { type: 'project' },
};

/** An observer that writes one line per report, in order. */
export function recordingObserver(): ReaperObserver & { events: string[] } {
  const events: string[] = [];
  return {
    events,
    reaped: (kind, subject) => events.push(`reaped ${kind} ${subject}`),
    spared: (reason, instanceId) => events.push(`spared ${reason} ${instanceId}`),
    jobLost: (jobId) => events.push(`lost ${jobId}`),
    demandRequeued: (jobId) => events.push(`requeued ${jobId}`),
    fleetSeen: (byPool, usd) => events.push(`fleet ${JSON.stringify(byPool)} ${usd.toFixed(4)}`),
    gitlabAuthFailure: (status) => events.push(`auth ${status}`),
    failed: (stage, subject) => events.push(`failed ${stage} ${subject}`),
    swept: () => undefined,
  };
}

/** The reaper over the simulated EC2, GitLab, SSM and the job table scale-up and lifecycle share. */
export function reaperWorld(settings: Partial<SweepSettings> = {}) {
  const clock = new SimClock();
  let unrecordedJobs = 0;
  const ec2 = new InMemoryEc2({ now: clock.now });
  const gitlab = new InMemoryGitlab(clock.now);
  const { ledger, journal, sweep: table } = new InMemoryJobTable(clock.now);
  const tokens = new InMemoryTokenStore(clock.now);
  const queue = new RecordingDemandQueue();
  const observer = recordingObserver();
  const deps: SweepDeps = {
    fleet: inMemoryReaperFleet(ec2, STACK),
    table,
    tokens: inMemoryTokenParameters(tokens),
    gitlab,
    queue,
    observer,
    settings: { ...SETTINGS, ...settings },
    runnerPages: new RunnerPageCursor(),
    now: clock.now,
  };

  /** An instance launched for pending job `jobId`, with runner and unread token, as scale-up leaves it. */
  async function launched(jobId: number, pool = POOL) {
    gitlab.addJob(jobId, PROJECT, ['arm64']);
    const { instances } = await ec2.launch({
      pool,
      launchTemplateId: 'lt-0arm',
      overrides: [{ subnetId: 'subnet-0a', instanceType: 'm7g.large' }],
      count: 1,
      lifecycle: 'spot',
      clientToken: `launch-${jobId}`,
      tags: { [TagKey.stack]: STACK, [TagKey.pool]: pool },
    });
    const instanceId = instances[0]?.instanceId ?? 'none';
    const runnerId = await runnerFor(instanceId);
    await tokens.put(instanceId, `glrt-${runnerId}`);
    await ledger.claim(jobId, PROJECT);
    await ledger.recordLaunch(jobId, { instanceId, runnerId, pool, lifecycle: 'spot' });
    return { instanceId, runnerId };
  }

  /**
   * An instance launched by `stack` with a runner registered for it and nothing else: what a
   * scale-up rollback leaves when GitLab refuses its runner deletion (token deleted, no launch
   * recorded), or another Spotlab stack's instance sharing this GitLab.
   */
  async function unrecorded(stack = STACK, clientToken = `unrecorded-${ec2.instances.size}`) {
    const { instances } = await ec2.launch({
      pool: POOL,
      launchTemplateId: 'lt-0arm',
      overrides: [{ subnetId: 'subnet-0a', instanceType: 'm7g.large' }],
      count: 1,
      lifecycle: 'spot',
      clientToken,
      tags: { [TagKey.stack]: stack, [TagKey.pool]: POOL },
    });
    const instanceId = instances[0]?.instanceId ?? 'none';
    return { instanceId, runnerId: await runnerFor(instanceId) };
  }

  /**
   * A runner registered in GitLab as scale-up creates one (`spotlab job <id>`), for a job no item
   * of this table records: it was created for `instanceId`'s launch, which was never recorded.
   */
  async function runnerFor(_instanceId: string): Promise<number> {
    unrecordedJobs += 1;
    const runner = await gitlab.createRunner({
      scope: { type: 'project' },
      projectId: PROJECT,
      tags: ['arm64'],
      runUntagged: false,
      maximumTimeoutSeconds: 3600,
      description: runnerDescription(90_000 + unrecordedJobs),
    });
    return runner.id;
  }

  /** The instance booted: it read and deleted its token. */
  const booted = (instanceId: string) => tokens.delete(instanceId);
  /** EC2 took the instance away (spot interruption, or it powered off) without anyone cleaning up. */
  const vanish = (instanceId: string): void => {
    ec2.end(instanceId, 'Server.SpotInstanceTermination');
  };

  return {
    clock,
    ec2,
    gitlab,
    ledger,
    journal,
    tokens,
    table,
    queue,
    observer,
    deps,
    launched,
    unrecorded,
    runnerFor,
    booted,
    vanish,
  };
}
