import { Stack, Validations } from 'aws-cdk-lib';
import { Effect, type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { runnerTokenPrefix } from '../../lambdas/shared/naming';
import { type ScopedStatement, withAcknowledgements } from './nag-acknowledgements';
import { spotlabName } from './spotlab-name';

/**
 * Lets `role` read one SecureString's current value: `ssm:GetParameter` on that parameter, which
 * is all `readSecureString` (GetParameter, WithDecryption) calls. Not CDK's `grantRead`, which adds
 * `ssm:GetParameterHistory`: the history holds every earlier value, so a rotated webhook secret or
 * GitLab API token would stay readable. Nor `ssm:GetParameters`/`DescribeParameters`, which no
 * Lambda calls. No KMS grant: with the AWS managed key aws/ssm, the key policy lets principals of
 * the account decrypt through SSM, i.e. exactly what this statement lets them read.
 */
export function grantSecureStringRead(
  scope: Construct,
  id: string,
  role: IRole,
  parameterName: string,
): void {
  const { parameterArn } = StringParameter.fromSecureStringParameterAttributes(scope, id, { parameterName });
  role.addToPrincipalPolicy(
    new PolicyStatement({ actions: ['ssm:GetParameter'], resources: [parameterArn] }),
  );
}

/** The given SSM actions on this stack's runner token parameters only. */
export function runnerTokenStatement(owner: Construct, actions: string[]): ScopedStatement {
  return {
    statement: new PolicyStatement({
      sid: 'RunnerTokens',
      actions,
      resources: [runnerTokenParameters(owner)],
    }),
    wildcardReason:
      "Runner token parameters are named after instance ids known only after launch; the wildcard covers this stack's token prefix only.",
  };
}

/**
 * Lets `role` delete runner tokens and, with `listByPath`, list them by the stack's path, while
 * never reading one. GetParametersByPath is authorised on the path alone and, called with
 * `WithDecryption: true`, returns every token in clear: the aws/ssm key policy lets any principal
 * of the account decrypt through SSM, so no Allow is needed for that and only a Deny stops it.
 * SSM decrypts a SecureString with its ARN as the encryption context `PARAMETER_ARN`; denying
 * kms:Decrypt under that context for the token prefix makes a decrypting listing fail while the
 * names-only listing the reaper makes (`WithDecryption: false`) calls no KMS at all.
 */
export function grantTokenCleanup(owner: Construct, role: IRole, options: { listByPath: boolean }): void {
  const stack = Stack.of(owner);
  const scoped: ScopedStatement[] = [];
  if (options.listByPath) {
    scoped.push({
      statement: new PolicyStatement({
        sid: 'ListRunnerTokenNames',
        actions: ['ssm:GetParametersByPath'],
        resources: [
          stack.formatArn({
            service: 'ssm',
            resource: 'parameter',
            resourceName: runnerTokenPrefix(spotlabName(owner)).replace(/^\//, ''),
          }),
        ],
      }),
    });
  }
  scoped.push(runnerTokenStatement(owner, ['ssm:DeleteParameter']));
  scoped.push({
    statement: new PolicyStatement({
      sid: 'NeverDecryptRunnerTokens',
      effect: Effect.DENY,
      actions: ['kms:Decrypt'],
      // The key is AWS's aws/ssm (or any key a token might be written with): the condition, not
      // the resource, names what is denied.
      resources: ['*'],
      conditions: { StringLike: { 'kms:EncryptionContext:PARAMETER_ARN': runnerTokenParameters(owner) } },
    }),
  });
  const policy = withAcknowledgements(stack, scoped);
  for (const statement of policy.statements) role.addToPrincipalPolicy(statement);
  Validations.of(role).acknowledge(...policy.acknowledgements);
}

function runnerTokenParameters(owner: Construct): string {
  const stack = Stack.of(owner);
  const tokenPath = runnerTokenPrefix(spotlabName(owner)).replace(/^\//, '');
  return stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: `${tokenPath}/*` });
}
