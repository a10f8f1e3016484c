import type { SpotlabConfig } from '../../lib/config/schema';
import { OperatorError } from '../errors';
import { type Check, check } from './model';

/** What the instance-type check needs: the subnets' zones and the zones offering each type. */
export interface Offerings {
  /** The Availability Zones of the stack's subnets. */
  readonly zones: readonly string[];
  /** The zones of the Region offering each type (types offered nowhere absent). */
  readonly byType: ReadonlyMap<string, ReadonlySet<string>>;
}

/**
 * Each pool's instance types are offered in the zones of the stack's subnets. A type offered in
 * none fails: CreateFleet can never launch it there. A type missing from some zones warns: the
 * fleet launches it only in the others, so spot capacity has fewer pools to come from. A pool with
 * `instanceRequirements` leaves the choice to EC2 (attribute-based selection): skipped.
 */
export function checkInstanceTypes(
  pools: SpotlabConfig['pools'],
  offerings: Offerings | Error | 'no-subnets-output',
): Check[] {
  return pools.map((pool) => {
    const id = `instance-types:${pool.name}`;
    if (pool.instanceTypes === undefined)
      return check(id, 'skip', `pool ${pool.name} uses instanceRequirements: EC2 picks types that exist`);
    if (offerings === 'no-subnets-output')
      return check(
        id,
        'skip',
        "the stack has no SubnetIds output (an older Spotlab): the subnets' zones are unknown",
        'Run `npx cdk deploy` with this version.',
      );
    if (offerings instanceof Error)
      return check(
        id,
        'fail',
        `pool ${pool.name}: instance type offerings could not be read (${offerings.message})`,
        offerings instanceof OperatorError
          ? offerings.fix
          : 'Grant the operator ec2:DescribeSubnets and ec2:DescribeInstanceTypeOfferings.',
      );
    const zones = offerings.zones;
    const nowhere: string[] = [];
    const partly: string[] = [];
    for (const type of pool.instanceTypes) {
      const offered = zones.filter((zone) => offerings.byType.get(type)?.has(zone) === true);
      if (offered.length === 0) nowhere.push(type);
      else if (offered.length < zones.length)
        partly.push(`${type} (not in ${zones.filter((z) => !offered.includes(z)).join(', ')})`);
    }
    const where = `the subnets' zones (${zones.join(', ')})`;
    if (nowhere.length > 0)
      return check(
        id,
        'fail',
        `pool ${pool.name}: ${nowhere.join(', ')} ${nowhere.length === 1 ? 'is' : 'are'} offered in none of ${where}`,
        `In pools[].instanceTypes of ${pool.name}, replace ${nowhere.join(', ')} with types this Region offers (aws ec2 describe-instance-type-offerings --location-type availability-zone), or deploy to another Region.`,
      );
    if (partly.length > 0)
      return check(
        id,
        'warn',
        `pool ${pool.name}: offered in only some of ${where}: ${partly.join('; ')}`,
        'Those types launch only in the other zones; add types offered in every zone to widen the spot capacity CreateFleet can draw on.',
      );
    return check(id, 'ok', `pool ${pool.name}: every type is offered in each of ${where}`);
  });
}
