import list from './ec2-instance-types.json' with { type: 'json' };

// Graviton 1 (`a1`) and Grace (`p6e-gb200`) carry no Graviton `g` attribute in their names.
const ARM64_BY_NAME = new Set(['a1', 'p6e-gb200']);

/**
 * The CPU architecture an EC2 instance type name implies, or `undefined` when the name does not say.
 *
 * EC2 names read `<family><generation><attributes>[-<variant>].<size>`; a `g` among the attributes
 * marks Graviton (arm64): `m7g`, `c6gn`, `im4gn`, `g5g`. A `g` family letter is a GPU family
 * (`g4dn`, `g5`), which is x86_64 unless its attributes carry the Graviton `g` too. Only seeds the
 * dated list ({@link knownArchitecture}), which DescribeInstanceTypes refreshes.
 */
export function architectureOfInstanceType(instanceType: string): 'x86_64' | 'arm64' | undefined {
  const name = instanceType.split('.')[0] ?? '';
  if (ARM64_BY_NAME.has(name) || ARM64_BY_NAME.has(name.replace(/\d+$/, ''))) return 'arm64';
  if (name.startsWith('u-')) return 'x86_64'; // high-memory `u-6tb1`
  const match = /^([a-z]+)(\d+)([a-z]*)(-[a-z0-9]+)?$/.exec(name);
  if (match === null) return undefined;
  return (match[3] ?? '').includes('g') ? 'arm64' : 'x86_64';
}

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
export function sameFamily(instanceType: string): string[] {
  const family = `${instanceType.split('.')[0] ?? ''}.`;
  return [...ARCHITECTURES.keys()].filter((type) => type.startsWith(family)).slice(0, 3);
}
