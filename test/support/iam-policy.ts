import { z } from 'zod';
import { actionsOf, type Statement } from './template';

/**
 * A small evaluator of identity-policy statements, for tests that ask "may this role do that?"
 * the way IAM decides: an explicit Deny wins, else some Allow must match action, resource and
 * every condition. It models what Spotlab's policies use: `*`/`?` wildcards, the String, Arn and
 * Numeric operators (negated ones hold when the key is absent, as in IAM), and policy variables
 * such as `${ec2:SourceInstanceARN}` substituted from the request context.
 */

/** The pseudo parameters of the account and Region the tests pretend to deploy in. */
export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': REGION,
  'AWS::AccountId': ACCOUNT,
};

/** One authorisation request: an action on a resource, with its request context. */
export interface Call {
  readonly action: string;
  readonly resource: string;
  /**
   * Condition keys of the request (`ec2:LaunchTemplate`, `ssm:resourceTag/…`, …); a multivalued
   * key (`aws:TagKeys`) is an array.
   */
  readonly context?: Readonly<Record<string, string | number | readonly string[]>>;
}

/** A template value with its pseudo parameters replaced; other `Ref`s become their logical id. */
export function resolve(node: unknown): string {
  if (typeof node === 'string') return node;
  if (typeof node === 'number') return String(node);
  const join = z.object({ 'Fn::Join': z.tuple([z.string(), z.array(z.unknown())]) }).safeParse(node);
  if (join.success) return join.data['Fn::Join'][1].map(resolve).join(join.data['Fn::Join'][0]);
  const ref = z.object({ Ref: z.string() }).safeParse(node);
  if (ref.success) return PSEUDO[ref.data.Ref] ?? ref.data.Ref;
  const getAtt = z.object({ 'Fn::GetAtt': z.tuple([z.string(), z.string()]) }).safeParse(node);
  if (getAtt.success) return getAtt.data['Fn::GetAtt'].join('.');
  throw new Error(`unresolvable template value ${JSON.stringify(node)}`);
}

/** IAM's `*` and `?` wildcards. */
export function matches(pattern: string, value: string, caseSensitive = true): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, caseSensitive ? '' : 'i').test(value);
}

type Test = (actual: string, expected: string) => boolean;
const TESTS: Record<string, Test> = {
  StringEquals: (a, e) => a === e,
  StringLike: (a, e) => matches(e, a),
  ArnEquals: (a, e) => matches(e, a),
  ArnLike: (a, e) => matches(e, a),
  NumericEquals: (a, e) => Number(a) === Number(e),
  NumericLessThanEquals: (a, e) => Number(a) <= Number(e),
  NumericGreaterThan: (a, e) => Number(a) > Number(e),
};
const NEGATED: Record<string, string> = {
  StringNotEquals: 'StringEquals',
  StringNotLike: 'StringLike',
  ArnNotEquals: 'ArnEquals',
  ArnNotLike: 'ArnLike',
};

function conditionHolds(statement: Statement, call: Call): boolean {
  const context = call.context ?? {};
  const substitute = (raw: unknown) =>
    resolve(raw).replace(/\$\{([^}]+)\}/g, (variable, key: string) => String(context[key] ?? variable));
  return Object.entries(statement.Condition ?? {}).every(([qualified, tests]) =>
    Object.entries(tests).every(([key, expected]) => {
      const [set, operator] = qualified.includes(':') ? qualified.split(':') : [undefined, qualified];
      const positive = NEGATED[operator ?? ''] ?? operator ?? '';
      const test = TESTS[positive];
      if (test === undefined) throw new Error(`unmodelled condition operator ${qualified}`);
      const matchesOne = (actual: string) =>
        [expected].flat().some((value) => test(actual, substitute(value)));
      const raw = context[key];
      const actuals = raw === undefined ? [] : [raw].flat().map(String);
      if (set !== undefined && positive !== operator)
        throw new Error(`unmodelled negated set operator ${qualified}`);
      // ForAllValues: every value of the request matches (true for none); ForAnyValue: at least one.
      if (set === 'ForAllValues') return actuals.every(matchesOne);
      if (set === 'ForAnyValue') return actuals.some(matchesOne);
      if (set !== undefined) throw new Error(`unmodelled condition set operator ${qualified}`);
      // A key absent from the request matches no value: a positive test fails, a negated one holds.
      const any = actuals.length > 0 && matchesOne(actuals[0] ?? '');
      return positive === operator ? any : !any;
    }),
  );
}

function applies(statement: Statement, call: Call): boolean {
  return (
    actionsOf(statement).some((action) => matches(action, call.action, false)) &&
    [statement.Resource].flat().some((resource) => matches(resolve(resource), call.resource)) &&
    conditionHolds(statement, call)
  );
}

/** IAM's decision for one call: `deny` (explicit), `allow`, or `implicit` (nothing allows it). */
export function decide(statements: readonly Statement[], call: Call): 'allow' | 'deny' | 'implicit' {
  if (statements.some((s) => s.Effect === 'Deny' && applies(s, call))) return 'deny';
  return statements.some((s) => s.Effect === 'Allow' && applies(s, call)) ? 'allow' : 'implicit';
}

/** Whether the statements allow the call. */
export const allowed = (statements: readonly Statement[], call: Call): boolean =>
  decide(statements, call) === 'allow';

/** Whether the statements allow every call: one API request that AWS authorises as several. */
export const allowedAll = (statements: readonly Statement[], calls: readonly Call[]): boolean =>
  calls.every((call) => allowed(statements, call));

/** ARN of a resource in the pretend account and Region. */
export const arn = (service: string, resource: string, account = ACCOUNT): string =>
  `arn:aws:${service}:${REGION}:${account}:${resource}`;
