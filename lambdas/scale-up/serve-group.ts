import { mapLimit } from '../shared/map-limit';
import type { RoutedDemand } from './check-jobs';
import { type DeferDeps, deferAll, isThrottle, releaseAll } from './defer-demand';
import { type LaunchDeps, launchGroup } from './launch-groups';
import type { LaunchPacer } from './launch-pacing';
import type { LaunchGroup } from './launch-request';
import type { LaunchedInstance } from './ports';
import {
  attachRunner,
  createRunners,
  discardRunners,
  type ProvisionDeps,
  type RunnerFor,
} from './provision-runner';

/** What serving a group needs. */
export type ServeDeps = ProvisionDeps &
  LaunchDeps &
  DeferDeps & {
    readonly pacer?: LaunchPacer;
    readonly deferChunk?: number;
  };

/**
 * Serves one group: creates each job's runner first, so a refused registration costs no instance;
 * launches one instance per runner GitLab created (one CreateFleet, plus on-demand for a spot
 * shortfall); then gives each instance its runner's token and records the launch. Runners no
 * instance came for are deleted and their jobs retried.
 * @returns the messages to retry.
 */
export async function serveGroup(
  group: LaunchGroup,
  items: readonly RoutedDemand[],
  deps: ServeDeps,
  concurrency: number,
): Promise<string[]> {
  if (items.length === 0) return [];
  const created = await createRunners(items, deps, concurrency);
  const { ready } = created;
  // The pacer reserved a slot per item; jobs with no runner launch nothing now.
  deps.pacer?.refund(items.length - ready.length, deps.now());
  if (ready.length === 0) return created.retry;
  const launching = ready.map(({ item }) => item);
  for (const item of launching)
    deps.observer.webhookToLaunchMs(group.pool.name, deps.now() - Date.parse(item.demand.receivedAt));
  const launchable = {
    ...group,
    jobIds: launching.map((item) => item.demand.jobId),
    projectIds: launching.map((item) => item.demand.projectId),
  };
  let instances: LaunchedInstance[];
  try {
    ({ instances } = await launchGroup(launchable, ready.length, deps));
  } catch (error) {
    deps.observer.failed('launch', undefined, error);
    await discardRunners(ready, deps);
    return [...created.retry, ...(await afterFailedLaunch(launching, error, deps))];
  }
  if (group.coolingDown === true) deps.observer.coolDownLaunches(group.pool.name, instances.length);
  // EC2 charges the bucket only for the instances it started.
  deps.pacer?.refund(ready.length - instances.length, deps.now());
  const surplus = ready.slice(instances.length);
  await discardRunners(surplus, deps);
  const retry = await provision(ready.slice(0, instances.length), instances, deps, concurrency);
  return [...created.retry, ...retry, ...(await releaseAll(itemsOf(surplus), deps.ledger))];
}

/** A throttled launch waits for the launch rate; any other failure retries the jobs. */
async function afterFailedLaunch(
  items: readonly RoutedDemand[],
  error: unknown,
  deps: ServeDeps,
): Promise<string[]> {
  if (!isThrottle(error)) {
    deps.pacer?.refund(items.length, deps.now());
    return releaseAll(items, deps.ledger);
  }
  // EC2's bucket is shared with every launch in the account: it, not this Lambda's count, is right.
  deps.pacer?.drain(deps.now());
  const delays = deps.pacer?.defer(items.length, deps.now(), deps.deferChunk ?? 50) ?? [];
  return deferAll(items, delays, 'throttled', deps);
}

/** Gives each instance its runner; undoes and retries the jobs whose provisioning failed. */
async function provision(
  runners: readonly RunnerFor[],
  instances: readonly LaunchedInstance[],
  deps: ServeDeps,
  concurrency: number,
): Promise<string[]> {
  const outcomes = await mapLimit(runners, concurrency, (runner, index) =>
    attachRunner(runner, instances[index] as LaunchedInstance, deps),
  );
  const failedInstances = instances
    .filter((_, index) => outcomes[index] !== 'ready')
    .map((instance) => instance.instanceId);
  if (failedInstances.length > 0) {
    // One call for all of them: TerminateInstances takes up to 1000 ids and has its own bucket.
    await deps.fleet
      .terminate(failedInstances)
      .catch((error: unknown) => deps.observer.failed('rollback', undefined, error));
  }
  // Jobs whose provisioning was undone are retried.
  return releaseAll(itemsOf(runners.filter((_, index) => outcomes[index] === 'undone')), deps.ledger);
}

function itemsOf(runners: readonly RunnerFor[]): RoutedDemand[] {
  return runners.map(({ item }) => item);
}
