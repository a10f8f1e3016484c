import type { StackStatus } from '@aws-sdk/client-cloudformation';
import { ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { doctorCommand } from '../../cli/commands/doctor';
import { checkOf, doctor, gitlab, HOOK, healthyStack, SECURE, TOKEN } from './doctor-fixtures';
import { aws, configVariant, deployedOutputs, mappingIs, parametersAre, run, stackIs } from './harness';

beforeEach(healthyStack);

type Arrange = () => { args?: string[]; stub?: ReturnType<typeof gitlab> };
const failingToken =
  (body: object): Arrange =>
  () => ({ stub: gitlab({ body: { ...TOKEN, ...body } }) });
const hookIs =
  (body: object): Arrange =>
  () => ({ stub: gitlab(undefined, { body: [{ ...HOOK, ...body }] }) });
const withStatus =
  (status: StackStatus): Arrange =>
  () => {
    stackIs(deployedOutputs(), status);
    return {};
  };

describe('spotlab doctor on a broken setup: each misconfiguration it detects', () => {
  it.each<[string, Arrange, string, 'fail' | 'warn', RegExp, RegExp]>([
    [
      'a stack whose first deploy failed',
      withStatus('ROLLBACK_COMPLETE'),
      'stack',
      'fail',
      /ROLLBACK_COMPLETE: not usable/,
      /delete the stack/,
    ],
    [
      'a stack still updating',
      withStatus('UPDATE_IN_PROGRESS'),
      'stack',
      'fail',
      /UPDATE_IN_PROGRESS/,
      /Wait for CloudFormation/,
    ],
    [
      'a stack whose last update rolled back',
      withStatus('UPDATE_ROLLBACK_COMPLETE'),
      'stack',
      'warn',
      /rolled back/,
      /stack events/,
    ],
    [
      'a stack deployed from another configuration',
      () => {
        stackIs({ ...deployedOutputs(), ConfigHash: 'f'.repeat(64) });
        return {};
      },
      'config',
      'fail',
      /deployed from another configuration than spotlab.config.json/,
      /npx cdk diff -c config=spotlab.config.json/,
    ],
    [
      'a stack without the ConfigHash output',
      () => {
        const { ConfigHash: _, ...older } = deployedOutputs();
        stackIs(older);
        return {};
      },
      'config',
      'fail',
      /no ConfigHash output/,
      /npx cdk deploy/,
    ],
    [
      'launching left drained',
      () => {
        mappingIs('Disabled');
        return {};
      },
      'launching',
      'warn',
      /drained/,
      /spotlab resume/,
    ],
    [
      'no event source mapping',
      () => {
        aws.lambda.on(ListEventSourceMappingsCommand).resolves({ EventSourceMappings: [] });
        return {};
      },
      'launching',
      'fail',
      /no event source mapping/,
      /npx cdk deploy/,
    ],
    [
      'a missing webhook secret parameter',
      () => {
        parametersAre({ '/spotlab/gitlab-api-token': 'SecureString' });
        return {};
      },
      'parameter:/spotlab/webhook-secret',
      'fail',
      /does not exist/,
      /put-parameter --type SecureString --name \/spotlab\/webhook-secret/,
    ],
    [
      'an API token stored as a plain String',
      () => {
        parametersAre({ ...SECURE, '/spotlab/gitlab-api-token': 'String' });
        return {};
      },
      'parameter:/spotlab/gitlab-api-token',
      'fail',
      /is a String, not a SecureString/,
      /delete-parameter --name \/spotlab\/gitlab-api-token && aws ssm put-parameter --type SecureString/,
    ],
    [
      'a token GitLab refuses',
      () => ({ stub: gitlab({ status: 401, body: { message: '401 Unauthorized' } }) }),
      'gitlab-token',
      'fail',
      /refused the token from SSM \/spotlab\/gitlab-api-token \(HTTP 401\)/,
      /api scope/,
    ],
    [
      'a revoked token',
      failingToken({ revoked: true, active: false }),
      'gitlab-token',
      'fail',
      /is revoked/,
      /api scope/,
    ],
    ['an expired token', failingToken({ active: false }), 'gitlab-token', 'fail', /is expired/, /api scope/],
    [
      'a read-only token',
      failingToken({ scopes: ['read_api'] }),
      'gitlab-token',
      'fail',
      /cannot create runners \(POST \/user\/runners\) \(needs api or create_runner\); delete runners and read their jobs \(\/runners\/:id\) \(needs api or manage_runner\); cancel and retry an interrupted job \(needs api\)/,
      /api scope/,
    ],
    [
      'a runner-only token',
      failingToken({ scopes: ['create_runner', 'manage_runner'] }),
      'gitlab-token',
      'fail',
      /cannot read jobs and list pending jobs \(needs api or read_api\)/,
      /api scope/,
    ],
    [
      'a token expiring in 3 days',
      failingToken({ expires_at: '2026-11-27' }),
      'gitlab-token',
      'warn',
      /expires in 3 day\(s\)/,
      /Rotate it/,
    ],
    [
      'a GitLab too old to describe its token',
      () => ({ stub: gitlab({ status: 404, body: {} }) }),
      'gitlab-token',
      'warn',
      /scopes not checked/,
      /api scope/,
    ],
    [
      'no webhook to the stack',
      () => ({ stub: gitlab(undefined, { body: [{ ...HOOK, url: 'https://ci.example.com/hook' }] }) }),
      'webhook:project:42',
      'fail',
      /has 1 webhook\(s\), none to https:\/\/abc123/,
      /Add new webhook: URL https:\/\/abc123.*Secret token = the value of \/spotlab\/webhook-secret, trigger Job events only/,
    ],
    [
      'a webhook without job events',
      hookIs({ job_events: false }),
      'webhook:project:42',
      'fail',
      /job events are off/,
      /tick Job events/,
    ],
    [
      'a webhook GitLab disabled',
      hookIs({ alert_status: 'disabled' }),
      'webhook:project:42',
      'fail',
      /GitLab disabled it after failed deliveries/,
      /Recent events/,
    ],
    [
      'a webhook GitLab paused',
      hookIs({ alert_status: 'temporarily_disabled' }),
      'webhook:project:42',
      'fail',
      /temporarily disabled/,
      /re-enable/,
    ],
    [
      'a webhook without a secret token',
      hookIs({ token_present: false }),
      'webhook:project:42',
      'fail',
      /no secret token/,
      /set Secret token to the value of \/spotlab\/webhook-secret/,
    ],
    [
      'a webhook on a GitLab before 19.0',
      hookIs({ token_present: undefined, signing_token_present: undefined }),
      'webhook:project:42',
      'warn',
      /does not say whether its secret token is set/,
      /Test > Job events: 202/,
    ],
    [
      'a webhook without SSL verification',
      hookIs({ enable_ssl_verification: false }),
      'webhook:project:42',
      'warn',
      /SSL verification is off/,
      /Enable SSL verification/,
    ],
    [
      'two webhooks to the stack',
      () => ({ stub: gitlab(undefined, { body: [HOOK, { ...HOOK, id: 8 }] }) }),
      'webhook:project:42',
      'warn',
      /every event arrives 2 times/,
      /delete all but one/,
    ],
    [
      'a project the token cannot see',
      () => ({ stub: gitlab(undefined, { status: 404, body: {} }) }),
      'webhook:project:42',
      'fail',
      /not found, or the token cannot see it/,
      /--project/,
    ],
    [
      'a token below Maintainer on the project',
      () => ({ stub: gitlab(undefined, { status: 403, body: {} }) }),
      'webhook:project:42',
      'fail',
      /may not read the webhooks of project 42 \(HTTP 403\)/,
      /Maintainer/,
    ],
  ])('detects %s', async (_, arrange, id, status, detail, fix) => {
    const { args = [], stub } = arrange();

    const outcome = await doctor(['--json', ...args], stub);

    expect(checkOf(outcome, id)).toEqual({
      id,
      status,
      detail: expect.stringMatching(detail),
      fix: expect.stringMatching(fix),
    });
    expect(outcome.code).toBe(status === 'fail' ? 1 : 0);
  });

  it('detects a configured signing token the webhook does not use, and its missing parameter', async () => {
    const { file, hash } = configVariant((c) => {
      c.gitlab = {
        url: 'https://gitlab.com',
        webhookSecretParameter: '/spotlab/webhook-secret',
        apiTokenParameter: '/spotlab/gitlab-api-token',
        signingTokenParameter: '/spotlab/webhook-signing-token',
      };
    });
    stackIs({ ...deployedOutputs(), ConfigHash: hash });

    const outcome = await run(doctorCommand, ['--config', file, '--project', '42', '--json'], {
      fetch: gitlab().fetch,
    });

    expect(outcome.code).toBe(1);
    expect(checkOf(outcome, 'webhook:project:42')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/does not sign deliveries/),
      fix: expect.stringMatching(/\/spotlab\/webhook-signing-token/),
    });
    expect(checkOf(outcome, 'parameter:/spotlab/webhook-signing-token')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/does not exist/),
    });
  });

  it('prints each failure with its fix in the table output', async () => {
    const { code, stdout } = await doctor([], gitlab(undefined, { body: [{ ...HOOK, job_events: false }] }));

    expect(code).toBe(1);
    expect(stdout).toContain('[FAIL] webhook:project:42: project 42 webhook 7: job events are off');
    expect(stdout).toContain(
      '       fix: Run `npx spotlab webhook install --project 42`, or in project 42: Settings > Webhooks > Edit: tick Job events.',
    );
    expect(stdout).toContain('1 check(s) failed, 0 warning(s), 0 skipped.');
  });

  it('refuses a non-numeric --project with exit 2', async () => {
    const { code, stderr } = await run(doctorCommand, ['--project', 'group/app']);

    expect(code).toBe(2);
    expect(stderr).toContain('--project: must be a numeric id');
  });
});
