import { type LaunchGroup, launchRequest } from './launch-request';
import type { ScaleUpObserver } from './observer';
import type { LaunchedInstance, LaunchResult, ScaleUpFleet } from './ports';

// CreateFleet error codes that mean "no spot capacity at this price now", which on-demand may fill.
const CAPACITY_ERRORS =
  /InsufficientInstanceCapacity|InsufficientCapacity|SpotMaxPriceTooLow|MaxSpotInstanceCountExceeded|UnfulfillableCapacity|capacity-not-available/i;

/** What launching a group gave. */
export interface GroupLaunch {
  readonly instances: LaunchedInstance[];
}

/** What launching needs. */
export interface LaunchDeps {
  readonly fleet: ScaleUpFleet;
  readonly stackName: string;
  readonly subnetIds: readonly string[];
  readonly observer: ScaleUpObserver;
  readonly now: () => number;
}

/**
 * Launches `count` instances for a group: one spot CreateFleet (instant, price-capacity-optimized
 * in the adapter), then, when the pool allows it and EC2 reported a capacity shortfall, one
 * on-demand CreateFleet for the rest. CreateFleet answers 200 with `Errors[]` when it launched
 * less than asked, so the shortfall is read from the result, not from an exception.
 */
export async function launchGroup(group: LaunchGroup, count: number, deps: LaunchDeps): Promise<GroupLaunch> {
  const attemptAt = deps.now();
  if (group.lifecycle === 'on-demand') {
    const onDemand = await deps.fleet.launch(
      launchRequest(deps.stackName, group, deps.subnetIds, 'on-demand', count, attemptAt),
    );
    report(group, onDemand, 'on-demand', deps.observer);
    reportShortfall(group, onDemand, count - onDemand.instances.length, deps.observer);
    return { instances: onDemand.instances.slice(0, count) };
  }
  const spot = await deps.fleet.launch(
    launchRequest(deps.stackName, group, deps.subnetIds, 'spot', count, attemptAt),
  );
  const instances = [...spot.instances];
  report(group, spot, 'spot', deps.observer);
  const missing = count - instances.length;
  if (missing > 0 && group.pool.onDemandFallback && spot.errors.some((e) => CAPACITY_ERRORS.test(e.code))) {
    // The spot instances already run: a failed fallback must not lose them, or they would idle
    // with no runner until the reaper found them.
    try {
      const onDemand = await deps.fleet.launch(
        launchRequest(deps.stackName, group, deps.subnetIds, 'on-demand', missing, attemptAt),
      );
      instances.push(...onDemand.instances);
      report(group, onDemand, 'on-demand', deps.observer);
    } catch (error) {
      deps.observer.failed('launch', undefined, error);
    }
  }
  reportShortfall(group, spot, count - instances.length, deps.observer);
  return { instances: instances.slice(0, count) };
}

function reportShortfall(
  group: LaunchGroup,
  result: LaunchResult,
  missing: number,
  observer: ScaleUpObserver,
) {
  if (missing <= 0) return;
  const code = [...result.errors].reverse()[0]?.code ?? 'NoInstances';
  observer.shortfall(group.pool.name, code, missing);
}

function report(
  group: LaunchGroup,
  result: LaunchResult,
  lifecycle: 'spot' | 'on-demand',
  observer: ScaleUpObserver,
): void {
  if (result.instances.length > 0) observer.launched(group.pool.name, lifecycle, result.instances.length);
}
