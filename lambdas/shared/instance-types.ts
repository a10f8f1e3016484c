import * as z from 'zod/mini';

// Graviton 1 (`a1`) and Grace (`p6e-gb200`) carry no Graviton `g` attribute in their names.
const ARM64_BY_NAME = new Set(['a1', 'p6e-gb200']);

/**
 * The CPU architecture an EC2 instance type name implies, or `undefined` when the name does not say.
 *
 * EC2 names read `<family><generation><attributes>[-<variant>].<size>`; a `g` among the attributes
 * marks Graviton (arm64): `m7g`, `c6gn`, `im4gn`, `g5g`. A `g` family letter is a GPU family
 * (`g4dn`, `g5`), which is x86_64 unless its attributes carry the Graviton `g` too. It only seeds
 * the dated list of real types that synth checks against (lib/config/instance-types.ts).
 */
export function architectureOfInstanceType(instanceType: string): 'x86_64' | 'arm64' | undefined {
  const name = instanceType.split('.')[0] ?? '';
  if (ARM64_BY_NAME.has(name)) return 'arm64';
  if (name.startsWith('u-')) return 'x86_64'; // high-memory `u-6tb1`
  const match = /^([a-z]+)(\d+)([a-z]*)(-[a-z0-9]+)?$/.exec(name);
  if (match === null) return undefined;
  return (match[3] ?? '').includes('g') ? 'arm64' : 'x86_64';
}

/** An EC2 instance type name (`m7g.large`), as pools and price overrides name them. */
export const instanceTypeSchema = z
  .string()
  .check(z.regex(/^[a-z][a-z0-9-]*\.[a-z0-9-]+$/, 'must be an EC2 instance type such as m7g.large'));
