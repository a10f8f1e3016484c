import * as z from 'zod/mini';

/**
 * The CPU architecture an EC2 instance type name implies, or `undefined` when the name does not say.
 *
 * EC2 names read `<family><generation><attributes>.<size>`; a `g` among the attributes marks
 * Graviton (arm64): `m7g`, `c6gn`, `im4gn`, `g5g`. A `g` family letter is a GPU family (`g4dn`,
 * `g5`), which is x86_64 unless its attributes carry the Graviton `g` too.
 */
export function architectureOfInstanceType(instanceType: string): 'x86_64' | 'arm64' | undefined {
  const match = /^([a-z]+)(\d+)([a-z-]*)\./.exec(instanceType);
  if (match === null) return undefined;
  const attributes = match[3] ?? '';
  return attributes.includes('g') ? 'arm64' : 'x86_64';
}

/** An EC2 instance type name (`m7g.large`), as pools and price overrides name them. */
export const instanceTypeSchema = z
  .string()
  .check(z.regex(/^[a-z][a-z0-9-]*\.[a-z0-9-]+$/, 'must be an EC2 instance type such as m7g.large'));
