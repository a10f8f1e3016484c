import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runnerTokenParameter, runnerTokenPrefix } from '../../lambdas/shared/naming';
import { parseConfig } from '../../lib/config/load';
import { allowed, arn, decide } from '../support/iam-policy';
import { type Statement, shipped, statementSchema, synth } from '../support/template';

// Which SSM parameters each role can read, evaluated as IAM would over every role of the stack:
// secrets' history, and runner tokens outside the one VM each belongs to.
const SIGNING = '/spotlab/webhook-signing-token';
const config = parseConfig(
  JSON.stringify({ ...shipped, gitlab: { ...shipped.gitlab, signingTokenParameter: SIGNING } }),
);
const SECRETS = [config.gitlab.webhookSecretParameter, SIGNING, config.gitlab.apiTokenParameter];
const TOKEN = runnerTokenParameter('Spotlab', 'i-0aaaaaaaaaaaaaaaa');
const parameterArn = (name: string) => arn('ssm', `parameter${name}`);
/** Decrypting a SecureString through SSM: kms:Decrypt with the parameter's ARN as encryption context. */
const decryptOf = (name: string) => ({
  action: 'kms:Decrypt',
  resource: arn('kms', 'key/0a1b2c3d-aws-ssm'),
  context: { 'kms:EncryptionContext:PARAMETER_ARN': parameterArn(name) },
});

const roleSchema = z.object({
  Properties: z.object({
    Policies: z
      .array(z.object({ PolicyDocument: z.object({ Statement: z.array(statementSchema) }) }))
      .optional(),
    ManagedPolicyArns: z.array(z.unknown()).optional(),
  }),
});

const policySchema = z.object({
  Properties: z.object({
    PolicyDocument: z.object({ Statement: z.array(statementSchema) }),
    Roles: z.array(z.object({ Ref: z.string() })),
  }),
});

/** Every role of the template, with the statements of its attached and inline policies. */
function roles(template: Template): Map<string, { statements: Statement[]; managed: unknown[] }> {
  const found = new Map<string, { statements: Statement[]; managed: unknown[] }>();
  for (const [id, role] of Object.entries(template.findResources('AWS::IAM::Role'))) {
    const { Properties } = roleSchema.parse(role);
    const inline = (Properties.Policies ?? []).flatMap((p) => p.PolicyDocument.Statement);
    found.set(id, { statements: inline, managed: Properties.ManagedPolicyArns ?? [] });
  }
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    const { Properties } = policySchema.parse(policy);
    for (const { Ref } of Properties.Roles) {
      const role = found.get(Ref);
      expect(role, `policy of unknown role ${Ref}`).toBeDefined();
      role?.statements.push(...Properties.PolicyDocument.Statement);
    }
  }
  return found;
}

let template: Template;
beforeAll(() => {
  template = synth(config).template;
});

const roleId = (prefix: string) => {
  const ids = [...roles(template).keys()].filter((id) => id.startsWith(prefix));
  expect(ids).toHaveLength(1);
  return ids[0] ?? '';
};
const statementsOfRole = (prefix: string) => roles(template).get(roleId(prefix))?.statements ?? [];

describe('Spotlab parameter grants: secrets', () => {
  it('lets no role of the stack read any parameter history: old secrets and API tokens stay private', () => {
    const all = [...roles(template)];
    expect(all.length).toBeGreaterThanOrEqual(6);

    for (const [id, { statements, managed }] of all) {
      expect(managed, id).toEqual([]);
      for (const name of [...SECRETS, TOKEN]) {
        const call = { action: 'ssm:GetParameterHistory', resource: parameterArn(name) };
        expect(allowed(statements, call), `${id} ${name}`).toBe(false);
      }
    }
  });

  it.each([
    ['WebhookRole', SECRETS.slice(0, 2)],
    ['ScaleUpRole', SECRETS.slice(2)],
    ['LifecycleRole', SECRETS.slice(2)],
    ['ReaperRole', SECRETS.slice(2)],
  ])('lets %s GetParameter exactly the secrets it reads, and nothing more of them', (prefix, mine) => {
    const statements = statementsOfRole(prefix);

    for (const name of SECRETS) {
      const get = { action: 'ssm:GetParameter', resource: parameterArn(name) };
      expect(allowed(statements, get), name).toBe(mine.includes(name));
      for (const action of ['ssm:GetParameters', 'ssm:DescribeParameters', 'ssm:GetParametersByPath'])
        expect(allowed(statements, { action, resource: parameterArn(name) }), action).toBe(false);
    }
  });
});

describe('Spotlab parameter grants: runner tokens', () => {
  it('lets the reaper list token names by path and delete tokens', () => {
    const reaper = statementsOfRole('ReaperRole');
    const path = parameterArn(runnerTokenPrefix('Spotlab'));

    expect(allowed(reaper, { action: 'ssm:GetParametersByPath', resource: path })).toBe(true);
    expect(allowed(reaper, { action: 'ssm:DeleteParameter', resource: parameterArn(TOKEN) })).toBe(true);
  });

  it.each(['ReaperRole', 'LifecycleRole', 'ScaleUpRole'])(
    'never lets %s GetParameter, GetParameters or the history of a token',
    (prefix) => {
      const statements = statementsOfRole(prefix);

      for (const action of ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParameterHistory'])
        expect(allowed(statements, { action, resource: parameterArn(TOKEN) }), action).toBe(false);
    },
  );

  it.each(['ReaperRole', 'LifecycleRole'])(
    'denies %s the decryption of any token, so a listing WithDecryption fails, yet not of the GitLab API token',
    (prefix) => {
      const statements = statementsOfRole(prefix);

      // The aws/ssm key policy allows the account's principals through SSM: only an explicit Deny
      // in the role stops a GetParametersByPath with WithDecryption from returning tokens in clear.
      expect(decide(statements, decryptOf(TOKEN))).toBe('deny');
      expect(decide(statements, decryptOf(config.gitlab.apiTokenParameter))).not.toBe('deny');
    },
  );

  it('lets only the reaper list parameters by path, and only under its own token prefix', () => {
    const listers = [...roles(template)].filter(([, { statements }]) =>
      statements.some((s) => [s.Action].flat().some((a) => /GetParametersByPath|ssm:\*|ssm:Get\*/.test(a))),
    );

    expect(listers.map(([id]) => id)).toEqual([roleId('ReaperRole')]);
    const reaper = statementsOfRole('ReaperRole');
    expect(allowed(reaper, { action: 'ssm:GetParametersByPath', resource: parameterArn('/spotlab') })).toBe(
      false,
    );
  });
});
