import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { ec2Fleet } from '../../lambdas/scale-up/adapters/ec2-fleet';
import type { ScaleUpEnv } from '../../lambdas/scale-up/env';
import { launchOverrides } from '../../lambdas/scale-up/launch-request';
import type { LaunchResult } from '../../lambdas/scale-up/ports';
import { ssmTokenStore } from '../../lambdas/shared/adapters/ssm-token-store';
import type { GitlabApi } from '../../lambdas/shared/gitlab/port';
import { TagKey } from '../../lambdas/shared/naming';
import { StackOutput } from '../../lib/stack-outputs';
import {
  BENCH_TAG,
  benchInstancesLeft,
  consoleOutput,
  instanceStates,
  scaleUpSettings,
} from '../aws/bench-instances';
import { describeStack, requireOutput } from '../aws/stack';
import { OperatorError } from '../errors';
import { type InstanceStartup, parseStartupLine } from './start-up-stats';

/** What `spotlab bench start-up` works with; tests pass mocked clients and a fake clock. */
export interface BenchDeps {
  readonly stackName: string;
  readonly cfn: CloudFormationClient;
  readonly ec2: EC2Client;
  readonly ssm: SSMClient;
  readonly lambda: LambdaClient;
  readonly runners: Pick<GitlabApi, 'createRunner' | 'deleteRunner'>;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Progress, one line at a time (stderr). */
  readonly log: (line: string) => void;
}

/** What to launch and how long to wait for it. */
export interface BenchOptions {
  readonly pool: string;
  readonly count: number;
  /** The project the runners are registered for, when the stack's runner scope is `project`. */
  readonly projectId: number | undefined;
  /** How long the instances may take to run, report and power off. */
  readonly timeoutMs: number;
  /** Between DescribeInstances polls. @default 2000 */
  readonly pollMs?: number;
}

/** What a bench run measured and what it left (nothing, when all went well). */
export interface BenchResult {
  readonly runId: string;
  readonly instances: readonly InstanceStartup[];
  /** CreateFleet's errors (e.g. InsufficientInstanceCapacity) for instances it did not launch. */
  readonly launchErrors: LaunchResult['errors'];
  /** Instances of this run still there after the cleanup. */
  readonly instancesLeft: readonly string[];
}

/**
 * Launches `count` instances of a pool as scale-up would (its launch template, subnets and tags,
 * a locked runner each, the token parameter the instance reads), lets each boot, read its token,
 * get its tools ready and ask GitLab for a job, then reads what each bootstrap reported. The
 * runners carry a tag of their own and take no untagged job, so no real job lands on them: each
 * runner waits its pool's wait-timeout for nothing, reports, deletes itself and powers off.
 * Whatever happens, everything launched is terminated and deleted again.
 */
export async function benchStartup(deps: BenchDeps, options: BenchOptions): Promise<BenchResult> {
  const settings = await scaleUpSettings(
    deps.lambda,
    requireOutput(await describeStack(deps.cfn, deps.stackName), StackOutput.scaleUpFunctionName),
  );
  const pool = settings.pools.find((p) => p.name === options.pool);
  if (pool === undefined)
    throw new OperatorError(
      `stack ${deps.stackName} has no pool ${options.pool}`,
      `Pass one of: ${settings.pools.map((p) => p.name).join(', ')}.`,
    );
  if (settings.scope.type === 'project' && options.projectId === undefined)
    throw new OperatorError(
      'the stack registers project runners: the bench needs a project for its runners',
      'Pass --project <id> of a project the GitLab token may add runners to.',
    );
  const runId = `bench-${deps.now().toString(36)}`;
  const made: Made = {
    launched: [],
    runnerIds: [],
    tokens: ssmTokenStore(deps.ssm, deps.stackName, settings.instanceArnPrefix),
  };
  let measured: Pick<BenchResult, 'instances' | 'launchErrors'>;
  try {
    measured = await measure(deps, { settings, pool, runId, made }, options);
  } finally {
    await cleanUp(deps, made, options);
  }
  const instancesLeft = await benchInstancesLeft(deps.ec2, deps.stackName, runId);
  return { runId, ...measured, instancesLeft };
}

/** What a run made, for the cleanup to undo whatever happened. */
interface Made {
  readonly launched: string[];
  readonly runnerIds: number[];
  readonly tokens: ReturnType<typeof ssmTokenStore>;
}

interface Run {
  readonly settings: ScaleUpEnv;
  readonly pool: ScaleUpEnv['pools'][number];
  readonly runId: string;
  readonly made: Made;
}

async function measure(deps: BenchDeps, { settings, pool, runId, made }: Run, options: BenchOptions) {
  const requestedAt = deps.now();
  const result = await launch(deps, settings, pool, options.count, runId);
  made.launched.push(...result.instances.map((i) => i.instanceId));
  deps.log(`launched ${made.launched.length} of ${options.count} (${runId})`);
  for (const instanceId of made.launched) {
    const runner = await deps.runners.createRunner({
      scope: settings.scope,
      projectId: options.projectId ?? 0,
      // A tag no job asks for: GitLab hands these runners nothing, so no real job runs here.
      tags: [runId],
      runUntagged: false,
      maximumTimeoutSeconds: 600,
      // The name scale-up gives its runners: the reaper deletes one the bench could not.
      description: `spotlab ${instanceId}`,
    });
    made.runnerIds.push(runner.id);
    await made.tokens.put(instanceId, runner.token);
  }
  deps.log('runners and tokens ready; waiting for the instances to report and power off');
  const runningAt = await watch(deps, made.launched, options);
  const instances: InstanceStartup[] = [];
  for (const instanceId of made.launched) {
    const at = runningAt.get(instanceId);
    const reported = parseStartupLine(await consoleOutput(deps.ec2, instanceId));
    instances.push({
      instanceId,
      ...(at === undefined ? {} : { runningSeconds: (at - requestedAt) / 1000 }),
      ...(reported === undefined ? {} : { reported }),
    });
  }
  return { instances, launchErrors: result.errors };
}

function launch(
  deps: BenchDeps,
  settings: ScaleUpEnv,
  pool: ScaleUpEnv['pools'][number],
  count: number,
  runId: string,
) {
  const group = {
    key: runId,
    pool,
    lifecycle: 'spot' as const,
    requirements: pool.instanceRequirements,
    jobIds: [],
    projectIds: [],
  };
  return ec2Fleet(deps.ec2, deps.stackName).launch({
    pool: pool.name,
    launchTemplateId: pool.launchTemplateId,
    overrides: launchOverrides(group, settings.subnetIds),
    count,
    lifecycle: 'spot',
    // One run, one launch: a retried call of the SDK gets the same instances back.
    clientToken: runId,
    tags: { [TagKey.stack]: deps.stackName, [TagKey.pool]: pool.name, [BENCH_TAG]: runId },
  });
}

/**
 * Polls the instances until every one has powered off (or the timeout): when each was first seen
 * past `pending`, in epoch ms.
 */
async function watch(deps: BenchDeps, ids: readonly string[], options: BenchOptions) {
  const runningAt = new Map<string, number>();
  const pollMs = options.pollMs ?? 2000;
  // Bounded by the time slept, so the number of polls is known whatever the calls take.
  for (let slept = 0; ids.length > 0 && slept <= options.timeoutMs; slept += pollMs) {
    const states = await instanceStates(deps.ec2, ids);
    for (const [id, state] of states)
      if (!runningAt.has(id) && state !== 'pending') runningAt.set(id, deps.now());
    if (ids.every((id) => isGone(states.get(id)))) break;
    await deps.sleep(pollMs);
  }
  return runningAt;
}

function isGone(state: string | undefined): boolean {
  return state === 'shutting-down' || state === 'terminated';
}

/** Terminates, deletes and checks: the bench leaves no instance, runner or token parameter. */
async function cleanUp(deps: BenchDeps, made: Made, options: BenchOptions): Promise<void> {
  const states = await instanceStates(deps.ec2, made.launched);
  const alive = made.launched.filter((id) => !isGone(states.get(id)));
  if (alive.length > 0) await ec2Fleet(deps.ec2, deps.stackName).terminate(alive);
  // The VMs delete their own runner and token; deleting what is already gone succeeds.
  for (const runnerId of made.runnerIds) await deps.runners.deleteRunner(runnerId);
  for (const instanceId of made.launched) await made.tokens.delete(instanceId);
  const pollMs = options.pollMs ?? 2000;
  // Shutting down takes EC2 a minute or so; five is plenty, and the check after reports the rest.
  for (let slept = 0; made.launched.length > 0 && slept <= 5 * 60_000; slept += pollMs) {
    const now = await instanceStates(deps.ec2, made.launched);
    if (made.launched.every((id) => now.get(id) === 'terminated')) break;
    await deps.sleep(pollMs);
  }
}
