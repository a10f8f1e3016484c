import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { beforeEach, describe, expect, it } from 'vitest';
import { webhookInstallCommand } from '../../cli/commands/webhook-install';
import { webhookTestCommand } from '../../cli/commands/webhook-test';
import { aws, type GitlabAnswer, gitlabStub, run, stackDeployed, WEBHOOK_URL } from './harness';

const SECRET = 'f3a9-webhook-secret';

/** Project 42's hook as GitLab lists it once `webhook install` made it (GitLab 17: no token_present). */
const INSTALLED = {
  id: 7,
  url: WEBHOOK_URL,
  job_events: true,
  push_events: false,
  tag_push_events: false,
  merge_requests_events: false,
  pipeline_events: false,
  enable_ssl_verification: true,
  alert_status: 'executable',
};

beforeEach(() => {
  stackDeployed();
  aws.ssm
    .on(GetParameterCommand, { Name: '/spotlab/webhook-secret' })
    .resolves({ Parameter: { Value: SECRET } });
});

/** A GitLab that records mutating calls with their form, and answers the rest from `routes`. */
function gitlab(routes: Record<string, GitlabAnswer | ((url: URL) => GitlabAnswer)>) {
  const writes: { method: string; path: string; form: URLSearchParams }[] = [];
  const stub = gitlabStub(routes);
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const method = init?.method ?? 'GET';
    const path = new URL(String(input)).pathname.replace(/^\/api\/v4/, '');
    if (method === 'GET') return stub.fetch(input, init);
    writes.push({ method, path, form: new URLSearchParams(String(init?.body ?? '')) });
    const created = { id: 9 };
    if (path.endsWith('/test/job_events')) return Response.json({ message: '201 Created' }, { status: 201 });
    return Response.json(method === 'PUT' ? { id: Number(path.split('/').at(-1)) } : created, {
      status: 201,
    });
  };
  return { fetch, writes };
}

const env = { GITLAB_TOKEN: 'glpat-operator' };

describe('spotlab webhook install --project', () => {
  it('creates the hook with the stack URL, the secret, Job events only and SSL verification on', async () => {
    const lab = gitlab({ '/projects/42/hooks': { body: [] } });

    const { code, stdout } = await run(webhookInstallCommand, ['--project', '42'], { fetch: lab.fetch, env });

    expect(code).toBe(0);
    expect(lab.writes).toHaveLength(1);
    const [write] = lab.writes;
    expect(write?.method).toBe('POST');
    expect(write?.path).toBe('/projects/42/hooks');
    expect(write?.form.get('url')).toBe(WEBHOOK_URL);
    expect(write?.form.get('token')).toBe(SECRET);
    expect(write?.form.get('job_events')).toBe('true');
    expect(write?.form.get('push_events')).toBe('false');
    expect(write?.form.get('merge_requests_events')).toBe('false');
    expect(write?.form.get('enable_ssl_verification')).toBe('true');
    expect(stdout).toContain('[create   ] project 42: created hook 9');
    expect(stdout).not.toContain(SECRET);
  });

  it('changes nothing when the hook to the stack URL is already as it should be', async () => {
    const lab = gitlab({ '/projects/42/hooks': { body: [{ ...INSTALLED }] } });

    const { code, stdout } = await run(webhookInstallCommand, ['--project', '42'], { fetch: lab.fetch, env });

    expect(code).toBe(0);
    expect(lab.writes).toEqual([]);
    expect(stdout).toContain('[unchanged] project 42: hook 7 is up to date');
  });

  it('updates the existing hook in place (PUT) when its events differ, never adding a second one', async () => {
    const lab = gitlab({ '/projects/42/hooks': { body: [{ ...INSTALLED, push_events: true }] } });

    const { code, stdout } = await run(webhookInstallCommand, ['--project', '42'], { fetch: lab.fetch, env });

    expect(code).toBe(0);
    expect(lab.writes.map((w) => `${w.method} ${w.path}`)).toEqual(['PUT /projects/42/hooks/7']);
    expect(lab.writes[0]?.form.get('token')).toBe(SECRET);
    expect(stdout).toContain('update hook 7: events differ (push_events=false)');
  });

  it('sends the secret again to an unchanged hook with --force', async () => {
    const lab = gitlab({ '/projects/42/hooks': { body: [{ ...INSTALLED }] } });

    await run(webhookInstallCommand, ['--project', '42', '--force'], { fetch: lab.fetch, env });

    expect(lab.writes.map((w) => `${w.method} ${w.path}`)).toEqual(['PUT /projects/42/hooks/7']);
  });

  it('prints the plan with --dry-run, calls no mutating endpoint and reads no secret', async () => {
    const lab = gitlab({ '/projects/42/hooks': { body: [] } });

    const { code, stdout } = await run(webhookInstallCommand, ['--project', '42', '--dry-run'], {
      fetch: lab.fetch,
      env,
    });

    expect(code).toBe(0);
    expect(lab.writes).toEqual([]);
    expect(aws.ssm.commandCalls(GetParameterCommand)).toEqual([]);
    expect(stdout).toContain('Plan (dry run, nothing changed)');
    expect(stdout).toContain('[create   ] project 42: would create the hook');
  });

  it('reports a project the token cannot see with a fix, and exits 1', async () => {
    const lab = gitlab({});

    const { code, stdout } = await run(webhookInstallCommand, ['--project', '42'], { fetch: lab.fetch, env });

    expect(code).toBe(1);
    expect(stdout).toContain('[FAILED   ] project 42: not found, or the token cannot see it');
    expect(stdout).toContain('fix: Check the project id');
  });

  it('refuses --project with --group, or neither, as a usage error (exit 2)', async () => {
    expect((await run(webhookInstallCommand, [], { env })).code).toBe(2);
    expect((await run(webhookInstallCommand, ['--project', '1', '--group', '2'], { env })).code).toBe(2);
  });
});

describe('spotlab webhook install --group', () => {
  it('installs a project hook on every project of the group and its subgroups, over every page', async () => {
    const lab = gitlab({
      '/groups/8/projects': (url) =>
        url.searchParams.get('include_subgroups') !== 'true'
          ? { status: 400 }
          : url.searchParams.get('page') === '1'
            ? { body: [{ id: 42, path_with_namespace: 'acme/app' }], nextPage: 2 }
            : {
                body: [
                  { id: 43, path_with_namespace: 'acme/sub/lib' },
                  { id: 44, path_with_namespace: 'acme/hidden' },
                ],
              },
      '/projects/42/hooks': { body: [{ ...INSTALLED }] },
      '/projects/43/hooks': { body: [] },
      '/projects/44/hooks': { status: 403, body: { message: '403 Forbidden' } },
    });

    const { code, stdout } = await run(webhookInstallCommand, ['--group', '8', '--json'], {
      fetch: lab.fetch,
      env,
    });

    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(
      report.projects.map((p: { projectId: number; action: string }) => `${p.projectId} ${p.action}`),
    ).toEqual(['42 unchanged', '43 create', '44 failed']);
    expect(report.projects[2].fix).toContain('Maintainer role');
    expect(lab.writes.map((w) => `${w.method} ${w.path}`)).toEqual(['POST /projects/43/hooks']);
  });
});

describe('spotlab webhook test --project', () => {
  it("sends GitLab's test Job event to the Spotlab hook and reports that the webhook accepted it", async () => {
    const lab = gitlab({
      '/projects/42/hooks': { body: [{ id: 3, url: 'https://other.example.com' }, INSTALLED] },
    });

    const { code, stdout } = await run(webhookTestCommand, ['--project', '42'], { fetch: lab.fetch, env });

    expect(code).toBe(0);
    expect(lab.writes.map((w) => `${w.method} ${w.path}`)).toEqual([
      'POST /projects/42/hooks/7/test/job_events',
    ]);
    expect(stdout).toContain('the webhook accepted it');
  });

  it("relays GitLab's 422 when the webhook refused the event, with what to do", async () => {
    const stub = gitlabStub({ '/projects/42/hooks': { body: [INSTALLED] } });
    const fetch: typeof globalThis.fetch = async (input, init) =>
      init?.method === 'POST'
        ? Response.json({ message: '401 Unauthorized' }, { status: 422 })
        : stub.fetch(input, init);

    const { code, stderr } = await run(webhookTestCommand, ['--project', '42'], { fetch, env });

    expect(code).toBe(1);
    expect(stderr).toContain('the test event was not accepted: 401 Unauthorized');
    expect(stderr).toContain('webhook install --project 42 --force');
  });

  it('says to install the hook when the project has none to the stack', async () => {
    const lab = gitlab({ '/projects/42/hooks': { body: [] } });

    const { code, stderr } = await run(webhookTestCommand, ['--project', '42'], { fetch: lab.fetch, env });

    expect(code).toBe(1);
    expect(stderr).toContain(`project 42 has no webhook to ${WEBHOOK_URL}`);
    expect(stderr).toContain('npx spotlab webhook install --project 42');
  });
});
