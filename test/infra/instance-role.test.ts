import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RUNNER_TOKEN_OWNER_TAG, runnerTokenParameter } from '../../lambdas/shared/naming';
import { actionsOf, type Statement, shipped, statementsOf, synth } from '../support/template';

// The runner VMs' role, evaluated as IAM would for calls from two VMs: a job that takes over one
// VM holds that VM's role credentials, so what the role allows is what a compromised VM can do.
const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'eu-west-1',
  'AWS::AccountId': '123456789012',
};
const arnOf = (id: string) => `arn:aws:ec2:eu-west-1:123456789012:instance/${id}`;
const parameterArn = (name: string) => `arn:aws:ssm:eu-west-1:123456789012:parameter${name}`;
const A = 'i-0aaaaaaaaaaaaaaaa';
const B = 'i-0bbbbbbbbbbbbbbbb';

/** A template value with its pseudo parameters replaced, as CloudFormation resolves it. */
function resolve(node: unknown): string {
  if (typeof node === 'string') return node;
  const join = z.object({ 'Fn::Join': z.tuple([z.string(), z.array(z.unknown())]) }).safeParse(node);
  if (join.success) return join.data['Fn::Join'][1].map(resolve).join(join.data['Fn::Join'][0]);
  const ref = z.object({ Ref: z.string() }).safeParse(node);
  if (ref.success) return PSEUDO[ref.data.Ref] ?? ref.data.Ref;
  const getAtt = z.object({ 'Fn::GetAtt': z.tuple([z.string(), z.string()]) }).safeParse(node);
  if (getAtt.success) return getAtt.data['Fn::GetAtt'].join('.');
  throw new Error(`unresolvable template value ${JSON.stringify(node)}`);
}

/** IAM's `*` and `?` wildcards, case-sensitive. */
function matches(pattern: string, value: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`).test(value);
}

interface Call {
  readonly action: string;
  readonly resource: string;
  readonly resourceTags: Record<string, string>;
  /** The calling VM: `ec2:SourceInstanceARN` of its requests. */
  readonly from: string;
}

function conditionHolds(statement: Statement, call: Call): boolean {
  const context: Record<string, string> = { 'ec2:SourceInstanceARN': arnOf(call.from) };
  for (const [key, value] of Object.entries(call.resourceTags)) context[`ssm:resourceTag/${key}`] = value;
  return Object.entries(statement.Condition ?? {}).every(([operator, tests]) => {
    if (operator !== 'StringEquals' && operator !== 'StringLike') throw new Error(`unmodelled ${operator}`);
    return Object.entries(tests).every(([key, expected]) => {
      const actual = context[key];
      if (actual === undefined) return false;
      return [expected].flat().some((raw) => {
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the IAM policy variable, substituted as IAM does
        const value = resolve(raw).replaceAll('${ec2:SourceInstanceARN}', arnOf(call.from));
        return operator === 'StringEquals' ? actual === value : matches(value, actual);
      });
    });
  });
}

function allowed(statements: readonly Statement[], call: Call): boolean {
  return statements.some(
    (s) =>
      s.Effect === 'Allow' &&
      actionsOf(s).some((action) => matches(action, call.action)) &&
      [s.Resource].flat().some((resource) => matches(resolve(resource), call.resource)) &&
      conditionHolds(s, call),
  );
}

let statements: Statement[];
beforeAll(() => {
  statements = statementsOf(synth(shipped).template, 'FleetInstanceRole');
});

const tokenOf = (owner: string) => ({
  resource: parameterArn(runnerTokenParameter('Spotlab', owner)),
  resourceTags: { [RUNNER_TOKEN_OWNER_TAG]: arnOf(owner) },
});

describe('Spotlab runner instance role', () => {
  it.each(['ssm:GetParameter', 'ssm:DeleteParameter'])('lets a VM %s its own token parameter', (action) => {
    expect(allowed(statements, { action, from: A, ...tokenOf(A) })).toBe(true);
    expect(allowed(statements, { action, from: B, ...tokenOf(B) })).toBe(true);
  });

  it.each(['ssm:GetParameter', 'ssm:DeleteParameter'])(
    "never lets a VM %s another VM's token parameter",
    (action) => {
      expect(allowed(statements, { action, from: A, ...tokenOf(B) })).toBe(false);
      expect(allowed(statements, { action, from: B, ...tokenOf(A) })).toBe(false);
    },
  );

  it('refuses a token parameter without its owner tag, and any parameter outside the prefix', () => {
    const untagged = { ...tokenOf(A), resourceTags: {} };
    const elsewhere = { ...tokenOf(A), resource: parameterArn('/spotlab/gitlab-api-token') };

    expect(allowed(statements, { action: 'ssm:GetParameter', from: A, ...untagged })).toBe(false);
    expect(allowed(statements, { action: 'ssm:GetParameter', from: A, ...elsewhere })).toBe(false);
  });

  it.each([
    'ssm:GetParameterHistory',
    'ssm:GetParameters',
    'ssm:GetParametersByPath',
    'ssm:PutParameter',
    'ssm:AddTagsToResource',
    'ssm:DescribeParameters',
  ])('never allows %s, even on its own token', (action) => {
    expect(allowed(statements, { action, from: A, ...tokenOf(A) })).toBe(false);
  });

  it('holds no KMS permission: the aws/ssm key decrypts its own token only through SSM', () => {
    expect(statements.flatMap(actionsOf).filter((a) => a.startsWith('kms:'))).toEqual([]);
  });

  it('can launch, pass a role to, tag or terminate nothing', () => {
    const actions = statements.flatMap(actionsOf);

    expect(actions.filter((a) => /^(ec2|iam|sts|autoscaling|lambda):/.test(a))).toEqual([]);
    expect(actions.sort()).toEqual([
      's3:GetObject',
      's3:ListBucket',
      's3:PutObject',
      'ssm:DeleteParameter',
      'ssm:GetParameter',
    ]);
    expect(statements.every((s) => s.Effect === 'Allow' && s.Resource !== '*')).toBe(true);
  });
});
