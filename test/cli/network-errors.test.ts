import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import { DescribeParametersCommand, GetParameterCommand } from '@aws-sdk/client-ssm';
import { beforeEach, describe, expect, it } from 'vitest';
import { drainCommand } from '../../cli/commands/drain';
import { statusCommand } from '../../cli/commands/status';
import { webhookInstallCommand } from '../../cli/commands/webhook-install';
import { explainNetworkError } from '../../cli/network-errors';
import { GitlabUnavailableError } from '../../lambdas/shared/gitlab/errors';
import { checkOf, doctor, gitlab, healthyStack } from './doctor-fixtures';
import { aws, run } from './harness';

/** The error Node's resolver gives, as the AWS SDK rejects with it (code, syscall, hostname). */
function dnsFailure(hostname: string, code = 'ENOTFOUND'): Error {
  return Object.assign(new Error(`getaddrinfo ${code} ${hostname}`), {
    code,
    errno: -3008,
    syscall: 'getaddrinfo',
    hostname,
  });
}

/** fetch (undici) failing to resolve GitLab: a TypeError whose cause is the resolver's error. */
const gitlabUnresolvable: typeof fetch = async () => {
  throw new TypeError('fetch failed', { cause: dnsFailure('gitlab.com') });
};

const blamesAccess = /IAM|permission|credential|Grant|kms:|ssm:GetParameter/i;

beforeEach(healthyStack);

describe('a command whose AWS endpoint cannot be reached', () => {
  it('status names the service, Region and host, and says to check the network and the Region', async () => {
    aws.cfn.on(DescribeStacksCommand).rejects(dnsFailure('cloudformation.eu-west-1.amazonaws.com'));

    const { code, stderr } = await run(statusCommand, []);

    expect(code).toBe(1);
    expect(stderr).toContain(
      'spotlab status: AWS CloudFormation in eu-west-1 (cloudformation.eu-west-1.amazonaws.com) could not be reached: its name does not resolve (ENOTFOUND)',
    );
    expect(stderr).toContain('fix: Check the network and proxy of this machine');
    expect(stderr).toContain('and the Region');
    expect(stderr).not.toMatch(/^spotlab status: .*getaddrinfo/m);
  });

  it('drain names the Region from --region when the error names no host, in --json too', async () => {
    aws.lambda
      .on(ListEventSourceMappingsCommand)
      .rejects(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));

    const { code, stdout } = await run(drainCommand, ['--json']);

    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({
      ok: false,
      error: 'AWS in eu-west-1 could not be reached: the connection was refused (ECONNREFUSED)',
    });
    expect(report.fix).toContain('network and proxy');
  });

  it('doctor reports SSM unreachable on the parameter checks without blaming permissions', async () => {
    aws.ssm.on(DescribeParametersCommand).rejects(dnsFailure('ssm.eu-west-1.amazonaws.com', 'EAI_AGAIN'));

    const outcome = await doctor(['--json'], gitlab(), { GITLAB_TOKEN: 'glpat-operator' });

    const parameter = checkOf(outcome, 'parameter:/spotlab/webhook-secret');
    expect(parameter?.status).toBe('fail');
    expect(parameter?.detail).toContain(
      'AWS SSM in eu-west-1 (ssm.eu-west-1.amazonaws.com) could not be reached',
    );
    expect(parameter?.fix).toContain('network and proxy');
    expect(parameter?.fix).not.toMatch(blamesAccess);
  });

  it('doctor does not blame the token parameter when SSM cannot be reached to read it', async () => {
    aws.ssm.on(GetParameterCommand).rejects(dnsFailure('ssm.eu-west-1.amazonaws.com'));

    const outcome = await doctor(['--json']);

    const token = checkOf(outcome, 'gitlab-token');
    expect(token?.status).toBe('fail');
    expect(token?.detail).toContain('AWS SSM in eu-west-1');
    expect(token?.fix).not.toMatch(blamesAccess);
  });
});

describe('a command that cannot reach GitLab', () => {
  it('doctor names the GitLab URL and says to check gitlab.url and the network, not the token', async () => {
    const outcome = await doctor(
      ['--json'],
      { fetch: gitlabUnresolvable, calls: [] },
      { GITLAB_TOKEN: 'glpat-operator' },
    );

    const token = checkOf(outcome, 'gitlab-token');
    expect(token?.detail).toBe(
      'GitLab at https://gitlab.com could not be reached: its name does not resolve (ENOTFOUND)',
    );
    expect(token?.fix).toContain('Check gitlab.url');
    expect(token?.fix).not.toMatch(blamesAccess);
    expect(checkOf(outcome, 'webhook:project:42')?.detail).toContain('could not be reached');
  });

  it('webhook install reports each project GitLab could not be reached for, exit 1', async () => {
    const { code, stdout } = await run(webhookInstallCommand, ['--project', '42', '--dry-run'], {
      fetch: gitlabUnresolvable,
      env: { GITLAB_TOKEN: 'glpat-operator' },
    });

    expect(code).toBe(1);
    expect(stdout).toContain('project 42: GitLab at https://gitlab.com could not be reached');
    expect(stdout).toContain('fix: Check gitlab.url');
  });
});

describe('explainNetworkError', () => {
  const tls = Object.assign(new Error('unable to verify the first certificate'), {
    code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    host: 'gitlab.example.com',
  });
  const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');

  it.each([
    {
      failure: 'a TLS refusal behind fetch',
      error: new TypeError('fetch failed', { cause: tls }),
      why: 'its TLS certificate was not accepted (UNABLE_TO_VERIFY_LEAF_SIGNATURE)',
      fix: 'NODE_EXTRA_CA_CERTS',
    },
    {
      failure: 'a fetch timeout after the retries',
      error: new GitlabUnavailableError('GitLab at https://gitlab.example.com did not answer', {
        cause: timeout,
      }),
      why: 'it did not answer in time',
      fix: 'gitlab.url',
    },
  ])('explains $failure with the GitLab URL', ({ error, why, fix }) => {
    const explained = explainNetworkError(error, { gitlabUrl: 'https://gitlab.example.com' });

    expect(explained?.message).toBe(`GitLab at https://gitlab.example.com could not be reached: ${why}`);
    expect(explained?.fix).toContain(fix);
  });

  it('leaves an error that is no connection failure alone', () => {
    expect(explainNetworkError(new Error('AccessDeniedException: not authorized'))).toBeUndefined();
  });
});
