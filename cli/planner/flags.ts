import { type ParseArgsConfig, parseArgs } from 'node:util';
import * as z from 'zod';
import { UsageError } from '../errors';

/** `node:util` option specs. */
export type FlagSpecs = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses `args` against `specs` and validates the values with `schema`.
 * @throws UsageError naming every bad or unknown flag (`--seed: must be a non-negative integer`).
 */
export function parseFlags<S extends z.ZodType>(
  args: readonly string[],
  specs: FlagSpecs,
  schema: S,
): z.infer<S> {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args: [...args], options: specs, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const parsed = schema.safeParse(values);
  if (!parsed.success)
    throw new UsageError(
      parsed.error.issues.map((i) => `--${String(i.path[0] ?? '?')}: ${i.message}`).join('\n'),
    );
  return parsed.data;
}

/** A flag holding a number within bounds. */
export function numberFlag(min: number, max = Number.POSITIVE_INFINITY, integer = false) {
  const what = `${integer ? 'an integer' : 'a number'} ${max === Number.POSITIVE_INFINITY ? `≥ ${min}` : `from ${min} to ${max}`}`;
  return z
    .string()
    .regex(/^\d+(\.\d+)?$/, `must be ${what}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max && (!integer || Number.isInteger(n)), `must be ${what}`);
}
