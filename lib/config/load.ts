import { readFileSync } from 'node:fs';
import { type ParseError, parse, printParseErrorCode } from 'jsonc-parser';
import type { z } from 'zod';
import { type SpotlabConfig, spotlabConfigSchema } from './schema';

/** The configuration file could not be read or is not valid; `problems` lists every bad key. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid Spotlab configuration in ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Default configuration path, relative to the working directory of `cdk synth`. */
export const DEFAULT_CONFIG_FILE = 'spotlab.config.json';

/**
 * Reads a Spotlab configuration file (JSON with comments), validates it and returns it frozen.
 * @throws ConfigError naming every bad key at once, so one synth shows the whole list.
 */
export function loadConfig(file: string = DEFAULT_CONFIG_FILE): Readonly<SpotlabConfig> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    throw new ConfigError(file, [`cannot read the file (${reason})`]);
  }
  return parseConfig(text, file);
}

/** Validates configuration text; see {@link loadConfig}. */
export function parseConfig(text: string, file = '<inline>'): Readonly<SpotlabConfig> {
  const errors: ParseError[] = [];
  const raw: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    throw new ConfigError(
      file,
      errors.map((e) => `${positionOf(text, e.offset)}: ${printParseErrorCode(e.error)}`),
    );
  }
  const result = spotlabConfigSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(file, describeIssues(result.error.issues));
  return deepFreeze(result.data);
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => `${formatPath([...issue.path, key])}: unknown key (misspelt?)`)
      : [`${formatPath(issue.path)}: ${isMissing(issue) ? 'is required' : issue.message}`],
  );
}

function isMissing(issue: z.core.$ZodIssue): boolean {
  return issue.code === 'invalid_type' && issue.message.endsWith('received undefined');
}

/** `pools[0].instanceTypes[1]`, the way an operator would point at the key in the file. */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((key, index) => (typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${String(key)}`))
    .join('');
}

function positionOf(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

function deepFreeze<T>(value: T): Readonly<T> {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
