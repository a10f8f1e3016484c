import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { beforeEach, describe, expect, it } from 'vitest';
import { doctorCommand } from '../../cli/commands/doctor';
import { checkOf, doctor, gitlab, HOOK, healthyStack, TOKEN } from './doctor-fixtures';
import {
  aws,
  configVariant,
  deployedOutputs,
  gitlabStub,
  parametersAre,
  run,
  stackIs,
  stackIsMissing,
} from './harness';

beforeEach(healthyStack);

describe('spotlab doctor on a healthy setup', () => {
  it('passes every check and says so, exit 0', async () => {
    const { code, stdout } = await doctor();

    expect(code).toBe(0);
    expect(stdout).toContain('[ok  ] stack: stack Spotlab is deployed (UPDATE_COMPLETE)');
    expect(stdout).toContain(
      '[ok  ] config: stack Spotlab was deployed from spotlab.config.json as it is now',
    );
    expect(stdout).toContain(
      '[ok  ] parameter:/spotlab/webhook-secret: /spotlab/webhook-secret (webhook secret token) is a SecureString',
    );
    expect(stdout).toContain(
      '[ok  ] gitlab-token: token "spotlab" from SSM /spotlab/gitlab-api-token has scopes [api, create_runner, manage_runner]',
    );
    expect(stdout).toContain(
      '[ok  ] webhook:project:42: project 42 has the webhook, with job events and a secret token',
    );
    expect(stdout).toContain('All checks passed (0 warning(s), 0 skipped).');
    expect(stdout).not.toContain('fix:');
  });

  it('prints every check as JSON with ok: true', async () => {
    const { code, stdout } = await doctor(['--json']);

    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.ok).toBe(true);
    expect(report.checks.map((c: { id: string; status: string }) => `${c.id} ${c.status}`)).toEqual([
      'stack ok',
      'config ok',
      'launching ok',
      'parameter:/spotlab/webhook-secret ok',
      'parameter:/spotlab/gitlab-api-token ok',
      'instance-types:arm-docker ok',
      'instance-types:x86-docker ok',
      'gitlab-token ok',
      'webhook:project:42 ok',
    ]);
  });

  it('checks the token from GITLAB_TOKEN when set, and says so', async () => {
    const stub = gitlab();

    const outcome = await doctor(['--json'], stub, { GITLAB_TOKEN: 'glpat-operator' });

    expect(stub.calls.every((c) => c.token === 'glpat-operator')).toBe(true);
    expect(aws.ssm.commandCalls(GetParameterCommand)).toEqual([]);
    expect(checkOf(outcome, 'gitlab-token')?.detail).toContain('from GITLAB_TOKEN');
  });

  it("looks for the webhook in runnerScope's group and reaper.projectIds without flags", async () => {
    const { file, hash } = configVariant((c) => {
      c.runnerScope = { type: 'group', groupId: 8 };
      c.reaper = { projectIds: [42] };
    });
    stackIs({ ...deployedOutputs(), ConfigHash: hash });
    const stub = gitlabStub({
      '/personal_access_tokens/self': { body: TOKEN },
      '/groups/8/hooks': { body: [HOOK] },
      '/projects/42/hooks': { body: [HOOK] },
    });

    const outcome = await run(doctorCommand, ['--config', file, '--json'], { fetch: stub.fetch });

    expect(outcome.code).toBe(0);
    expect(checkOf(outcome, 'webhook:group:8')?.status).toBe('ok');
    expect(checkOf(outcome, 'webhook:project:42')?.status).toBe('ok');
  });
});

describe('spotlab doctor on an empty setup (nothing deployed or stored yet)', () => {
  it('fails the stack, parameters and token with what to do, skips what needs them, exit 1', async () => {
    stackIsMissing();
    parametersAre({});
    aws.ssm
      .on(GetParameterCommand)
      .rejects(Object.assign(new Error('not found'), { name: 'ParameterNotFound' }));

    const { code, stdout } = await run(doctorCommand, [], { fetch: gitlab().fetch });

    expect(code).toBe(1);
    expect(stdout).toContain('[FAIL] stack: stack Spotlab is not deployed in this account and Region');
    expect(stdout).toContain('fix: Deploy it (`npx cdk deploy`)');
    expect(stdout).toContain('[skip] config: needs the deployed stack');
    expect(stdout).toContain('[skip] launching: needs the deployed stack');
    expect(stdout).toContain(
      'fix: Create it: aws ssm put-parameter --type SecureString --name /spotlab/webhook-secret --value',
    );
    expect(stdout).toContain(
      '[FAIL] gitlab-token: no GitLab token: GITLAB_TOKEN is not set and SSM parameter /spotlab/gitlab-api-token could not be read',
    );
    expect(stdout).toContain('[skip] webhook: no project or group to look in');
    expect(stdout).toContain('fix: Pass --project <id>');
    expect(stdout).toContain('4 check(s) failed, 0 warning(s), 3 skipped.');
  });
});
