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
  const [first] = errors;
  // Only the first syntax error: the parser's later ones are mostly echoes of it.
  if (first !== undefined)
    throw new ConfigError(file, [
      `${positionOf(text, first.offset)}: ${SYNTAX[printParseErrorCode(first.error)] ?? printParseErrorCode(first.error)}`,
    ]);
  const result = spotlabConfigSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(file, describeConfigIssues(result.error.issues));
  return deepFreeze(result.data);
}

/** Each JSON syntax error as a sentence an operator can act on (the parser names codes only). */
const SYNTAX: Readonly<Record<string, string>> = {
  InvalidSymbol: 'this character cannot start a value (a missing quote?)',
  InvalidNumberFormat: 'this number is not written the JSON way (e.g. 1.5, not 1,5 or .5)',
  PropertyNameExpected: 'a key in double quotes is expected here (a trailing comma or a missing quote?)',
  ValueExpected: 'a value is expected here (a missing value after a colon or comma?)',
  ColonExpected: 'a colon is missing after the key',
  CommaExpected: 'a comma is missing before this',
  CloseBraceExpected: 'a closing brace } is missing',
  CloseBracketExpected: 'a closing bracket ] is missing',
  EndOfFileExpected: 'the file goes on after its closing brace',
  InvalidCommentToken: 'this comment is not closed or not allowed here',
  UnexpectedEndOfComment: 'a /* comment is not closed with */',
  UnexpectedEndOfString: 'a string is not closed with a double quote',
  UnexpectedEndOfNumber: 'a number ends too early',
  InvalidUnicode: 'a \\u escape needs four hex digits',
  InvalidEscapeCharacter: 'this backslash escape is not valid JSON',
  InvalidCharacter: 'a control character (such as a tab or line break) is inside a string',
};

/**
 * Each schema issue as `key.path: what is wrong`, the way the file's errors and the construct's
 * props errors both name a key.
 */
export function describeConfigIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys')
      return issue.keys.map((key) => `${formatPath([...issue.path, key])}: unknown key (misspelt?)`);
    // A record key that failed its own schema (a price for an unknown instance type): say why.
    if (issue.code === 'invalid_key')
      return issue.issues.map((inner) => `${formatPath(issue.path)}: ${inner.message}`);
    return [`${formatPath(issue.path)}: ${isMissing(issue) ? 'is required' : issue.message}`];
  });
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

/** `value` and everything in it, frozen: validated configuration is read-only from here on. */
export function deepFreeze<T>(value: T): Readonly<T> {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
