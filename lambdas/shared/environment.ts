import type * as z from 'zod/mini';

/** How a setting is written in its variable: `text` as it is, `json` as JSON (numbers, lists, objects). */
export type Encoding = 'text' | 'json';

/** One environment variable: its name and how its setting is written in it. */
export interface Variable {
  readonly name: string;
  readonly encoding: Encoding;
}

/** A variable whose value is the setting's text. */
export const text = (name: string): Variable => ({ name, encoding: 'text' });
/** A variable whose value is the setting as JSON; a number's JSON is its plain decimal text. */
export const json = (name: string): Variable => ({ name, encoding: 'json' });

/**
 * Where each setting of `S` travels: one variable, or a group of variables for a setting that is
 * an object. Every key of `S` must be placed, so a setting without a variable does not compile.
 */
export type Variables<S> = { readonly [K in keyof S]-?: Variable | Variables<NonNullable<S[K]>> };

/** A Lambda's environment is missing or has a malformed variable: a deploy mistake. */
export class EnvironmentError extends Error {
  override readonly name = 'EnvironmentError';
  constructor(
    fn: string,
    /** Every bad variable, in the order the environment declares them. */
    readonly variables: readonly string[],
  ) {
    super(`${fn} environment is invalid: ${variables.join(', ')}`);
  }
}

/** Refused by every schema an environment uses, so malformed JSON is reported by its variable. */
const NOT_JSON = Symbol('not JSON');

function isVariable(spec: unknown): spec is Variable {
  return typeof spec === 'object' && spec !== null && 'encoding' in spec && 'name' in spec;
}

function entries(group: unknown): [string, unknown][] {
  return typeof group === 'object' && group !== null ? Object.entries(group) : [];
}

/**
 * Writes `settings` into the variables `variables` names; unset (undefined) settings are left out.
 * `stringify` writes JSON: the stack passes `Stack.toJsonString` so values holding CloudFormation
 * tokens (subnet and launch template ids) resolve at deploy.
 */
export function encodeEnvironment<S>(
  variables: Variables<S>,
  settings: S,
  stringify: (value: unknown) => string = JSON.stringify,
): Record<string, string> {
  const env: Record<string, string> = {};
  const write = (group: unknown, values: unknown): void => {
    for (const [key, spec] of entries(group)) {
      const value: unknown =
        typeof values === 'object' && values !== null ? Reflect.get(values, key) : undefined;
      if (!isVariable(spec)) write(spec, value);
      else if (value !== undefined)
        env[spec.name] = spec.encoding === 'json' ? stringify(value) : String(value);
    }
  };
  write(variables, settings);
  return env;
}

/**
 * Reads `env` through `variables` and validates it with `schema`, once at cold start; the result
 * is frozen.
 * @throws EnvironmentError naming every bad variable, so the function fails at init.
 */
export function decodeEnvironment<S>(
  fn: string,
  variables: Variables<S>,
  schema: z.ZodMiniType<S>,
  env: Readonly<Record<string, string | undefined>>,
): S {
  const read = (group: unknown): Record<string, unknown> =>
    Object.fromEntries(
      entries(group).map(([key, spec]) => {
        if (!isVariable(spec)) return [key, read(spec)];
        const value = env[spec.name];
        return [key, value === undefined || spec.encoding === 'text' ? value : parseJson(value)];
      }),
    );
  const parsed = schema.safeParse(read(variables));
  if (parsed.success) return deepFreeze(parsed.data);
  const bad = new Set(parsed.error.issues.map((issue) => variableAt(variables, issue.path)));
  throw new EnvironmentError(
    fn,
    namesOf(variables).filter((name) => bad.has(name)),
  );
}

function parseJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return NOT_JSON;
  }
}

/** The variable an issue at `path` of the settings comes from. */
function variableAt(group: unknown, path: readonly PropertyKey[]): string | undefined {
  const [key, ...rest] = path;
  const spec = entries(group).find(([name]) => name === key)?.[1];
  if (isVariable(spec)) return spec.name;
  return spec === undefined ? undefined : variableAt(spec, rest);
}

/** Every variable's name, in declaration order. */
export function namesOf(group: unknown): string[] {
  return entries(group).flatMap(([, spec]) => (isVariable(spec) ? [spec.name] : namesOf(spec)));
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
