import { readFileSync } from 'node:fs';

/** GitLab payloads trimmed to their documented shape (see test/fixtures/gitlab/README.md). */
export type GitlabFixture =
  | 'job-hook-created'
  | 'job-hook-pending'
  | 'job-hook-running'
  | 'job-hook-success'
  | 'job-hook-failed-runner-system'
  | 'job-hook-canceled-while-pending'
  | 'api-get-job'
  | 'api-create-runner'
  | 'api-get-project'
  | 'api-get-group';

/** The fixture's raw text, exactly as GitLab would send it. */
export function fixtureText(name: GitlabFixture): string {
  return readFileSync(new URL(`../fixtures/gitlab/${name}.json`, import.meta.url), 'utf8');
}

/** The fixture parsed, for tests that change a field before sending it. */
export function fixtureJson(name: GitlabFixture): Record<string, unknown> {
  const value: unknown = JSON.parse(fixtureText(name));
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`${name} is not an object`);
  return { ...value };
}
