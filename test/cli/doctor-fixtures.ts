import { doctorCommand } from '../../cli/commands/doctor';
import {
  type GitlabAnswer,
  gitlabStub,
  mappingIs,
  type Outcome,
  parametersAre,
  run,
  stackDeployed,
  WEBHOOK_URL,
} from './harness';

/** The token GitLab describes on a healthy setup. */
export const TOKEN = {
  id: 1,
  name: 'spotlab',
  scopes: ['api', 'create_runner', 'manage_runner'],
  active: true,
  revoked: false,
  expires_at: '2027-06-01',
};
/** Project 42's webhook on a healthy setup. */
export const HOOK = {
  id: 7,
  url: WEBHOOK_URL,
  job_events: true,
  push_events: false,
  enable_ssl_verification: true,
  alert_status: 'executable',
  token_present: true,
  signing_token_present: false,
};
/** Both parameters the shipped configuration names, as SecureStrings. */
export const SECURE = {
  '/spotlab/webhook-secret': 'SecureString',
  '/spotlab/gitlab-api-token': 'SecureString',
};

/** The AWS side of a healthy setup: the stack deployed, launching enabled, both parameters SecureStrings. */
export function healthyStack(): void {
  stackDeployed();
  mappingIs('Enabled');
  parametersAre(SECURE);
}

/** GitLab with the token and project 42's hooks as given. */
export function gitlab(token: GitlabAnswer = { body: TOKEN }, hooks: GitlabAnswer = { body: [HOOK] }) {
  return gitlabStub({ '/personal_access_tokens/self': token, '/projects/42/hooks': hooks });
}

/** Runs doctor for project 42 with `stub` as GitLab. */
export async function doctor(
  args: string[] = [],
  stub = gitlab(),
  env: Record<string, string> = {},
): Promise<Outcome> {
  return run(doctorCommand, ['--project', '42', ...args], { fetch: stub.fetch, env });
}

/** The check `id` of a `--json` run. */
export function checkOf(outcome: Outcome, id: string) {
  const report: { checks: { id: string; status: string; detail: string; fix?: string }[] } = JSON.parse(
    outcome.stdout,
  );
  return report.checks.find((c) => c.id === id);
}
