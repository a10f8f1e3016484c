import list from './ec2-instance-types.json' with { type: 'json' };

// The dated list stays out of the Lambda bundles: only synth (and the CLI) check types against it.
const ARCHITECTURES = new Map<string, 'x86_64' | 'arm64'>([
  ...list.arm64.map((type) => [type, 'arm64'] as const),
  ...list.x86_64.map((type) => [type, 'x86_64'] as const),
]);

/** Day the list of known instance types was made (lib/config/ec2-instance-types.json). */
export const INSTANCE_TYPES_UPDATED = list.updated;

/** The architecture of a real EC2 instance type, from the dated list; `undefined` for a type it lacks. */
export function knownArchitecture(instanceType: string): 'x86_64' | 'arm64' | undefined {
  return ARCHITECTURES.get(instanceType);
}

/** Up to three known types of the same family as `instanceType` (`m7g` for `m7g.huge`), to suggest. */
function sameFamily(instanceType: string): string[] {
  const family = `${instanceType.split('.')[0] ?? ''}.`;
  return [...ARCHITECTURES.keys()].filter((type) => type.startsWith(family)).slice(0, 3);
}

/**
 * Why `type` is not a type of `architecture` (or not an EC2 type at all, with same-family
 * suggestions); `undefined` when it is. Checked at synth, so a typo fails there, not every launch.
 */
export function instanceTypeProblem(type: string, architecture?: 'x86_64' | 'arm64'): string | undefined {
  const known = knownArchitecture(type);
  if (known === undefined) {
    const family = sameFamily(type);
    return (
      `${type} is not an EC2 instance type` +
      (family.length > 0 ? ` (same family: ${family.join(', ')})` : '') +
      `; the list of ${INSTANCE_TYPES_UPDATED} is lib/config/ec2-instance-types.json ` +
      '(npm run instance-types:refresh updates it from DescribeInstanceTypes)'
    );
  }
  if (architecture !== undefined && known !== architecture)
    return `${type} is ${known} but the pool's architecture is ${architecture}`;
  return undefined;
}
