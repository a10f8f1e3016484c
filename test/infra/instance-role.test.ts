import { beforeAll, describe, expect, it } from 'vitest';
import { STARTUP_NAMESPACE } from '../../lambdas/shared/metric-names';
import { RUNNER_TOKEN_OWNER_TAG, runnerTokenParameter } from '../../lambdas/shared/naming';
import { allowed as allows, arn, type Call } from '../support/iam-policy';
import { actionsOf, type Statement, shipped, statementsOf, synth } from '../support/template';

// The runner VMs' role, evaluated as IAM would for calls from two VMs: a job that takes over one
// VM holds that VM's role credentials, so what the role allows is what a compromised VM can do.
const arnOf = (id: string) => arn('ec2', `instance/${id}`);
const parameterArn = (name: string) => arn('ssm', `parameter${name}`);
const A = 'i-0aaaaaaaaaaaaaaaa';
const B = 'i-0bbbbbbbbbbbbbbbb';

interface VmCall {
  readonly action: string;
  readonly resource: string;
  readonly resourceTags: Record<string, string>;
  /** The calling VM: `ec2:SourceInstanceARN` of its requests. */
  readonly from: string;
  /** Other condition keys of the request. */
  readonly context?: Record<string, string>;
}

function allowed(statements: readonly Statement[], call: VmCall): boolean {
  const context: Record<string, string> = { 'ec2:SourceInstanceARN': arnOf(call.from), ...call.context };
  for (const [key, value] of Object.entries(call.resourceTags)) context[`ssm:resourceTag/${key}`] = value;
  const request: Call = { action: call.action, resource: call.resource, context };
  return allows(statements, request);
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
      'cloudwatch:PutMetricData',
      's3:GetObject',
      's3:ListBucket',
      's3:PutObject',
      'ssm:DeleteParameter',
      'ssm:GetParameter',
    ]);
    // The one `*`: PutMetricData has no resources, and its namespace condition bounds it.
    expect(
      statements.every((s) => s.Effect === 'Allow' && (s.Resource !== '*' || s.Sid === 'StartupMetricsOnly')),
    ).toBe(true);
  });

  it('may put start-up metrics in the Spotlab/Startup namespace and no other', () => {
    const put = (context?: Record<string, string>) =>
      allowed(statements, {
        action: 'cloudwatch:PutMetricData',
        resource: '*',
        resourceTags: {},
        from: A,
        context,
      });

    expect(put({ 'cloudwatch:namespace': STARTUP_NAMESPACE })).toBe(true);
    expect(put({ 'cloudwatch:namespace': 'Spotlab' })).toBe(false);
    expect(put({ 'cloudwatch:namespace': 'AWS/EC2' })).toBe(false);
    expect(put()).toBe(false);
  });
});
