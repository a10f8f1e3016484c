import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { traceCommand } from '../../cli/commands/trace';
import { parseTrace } from '../../planner/trace/parse';
import { runCommand } from '../planner/cli-io';

const page = (n: 1 | 2): string =>
  readFileSync(new URL(`../fixtures/traces/gitlab-jobs-page-${n}.json`, import.meta.url), 'utf8');
const env = { GITLAB_TOKEN: 'glpat-secret', GITLAB_URL: 'https://gitlab.example.com' };

/** GitLab answering a 429 once, then page 1 (keyset link to page 2), then page 2. */
function gitlab() {
  const urls: string[] = [];
  let calls = 0;
  const fetch: typeof globalThis.fetch = async (input) => {
    urls.push(String(input));
    calls += 1;
    if (calls === 1) return new Response('', { status: 429, headers: { 'retry-after': '3' } });
    if (calls === 2)
      return new Response(page(1), {
        headers: {
          link: '<https://gitlab.example.com/api/v4/projects/42/jobs?cursor=abc&per_page=100>; rel="next"',
        },
      });
    return new Response(page(2));
  };
  return { fetch, urls };
}

describe('spotlab trace export', () => {
  it('writes a trace that simulate reads back, waiting out a 429 and reporting progress on stderr', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'spotlab-trace-')), 'trace.csv');
    const sleeps: number[] = [];
    const { fetch, urls } = gitlab();
    const printed = await runCommand(
      traceCommand,
      ['export', '--project', '42', '--since', '60d', '--out', out],
      {
        env,
        fetch,
        sleep: async (ms) => {
          sleeps.push(ms);
        },
      },
    );
    expect(printed.code).toBe(0);
    expect(sleeps).toEqual([3000]);
    expect(urls).toHaveLength(3);
    expect(printed.stderr).toContain('GitLab: HTTP 429, retrying in 3 s');
    expect(printed.stderr).toMatch(/page 2: 3 jobs, back to 2026-01-01T08:00:00.000Z/);
    expect(printed.stderr).toContain(`3 jobs written to ${out} (1 never started, left out)`);
    const jobs = parseTrace(readFileSync(out, 'utf8'), 'csv', out);
    expect(jobs.map((job) => job.name)).toEqual(['deploy', 'build', 'rspec:other']);
    expect(printed.stdout + printed.stderr).not.toContain('glpat-secret');
  });

  it('writes CSV to stdout when no --out is given', async () => {
    const printed = await runCommand(traceCommand, ['export', '--project', '42'], {
      env,
      fetch: gitlab().fetch,
    });
    expect(printed.code).toBe(0);
    expect(parseTrace(printed.stdout, 'csv', 'stdout')).toHaveLength(3);
  });

  it('exits 2 without GITLAB_TOKEN, before calling GitLab', async () => {
    const { fetch, urls } = gitlab();
    const printed = await runCommand(traceCommand, ['export', '--project', '42'], { fetch });
    expect(printed.code).toBe(2);
    expect(printed.stderr).toContain('set GITLAB_TOKEN to a token with read_api');
    expect(urls).toHaveLength(0);
  });

  it.each([
    [['export'], '--project: a project id is required'],
    [['export', '--project', 'group/app'], '--project: must be the numeric project id'],
    [
      ['export', '--project', '42', '--since', 'forever'],
      '--since: must be a duration such as 30d, 12h or 90m',
    ],
    [['import'], 'unknown subcommand "import"'],
  ])('exits 2 on a usage error: %j', async (args, message) => {
    const printed = await runCommand(traceCommand, args, { env, fetch: gitlab().fetch });
    expect(printed.code).toBe(2);
    expect(printed.stderr).toContain(message);
  });

  it('exits 1 naming the scope it needs when GitLab refuses the token, without printing it', async () => {
    const fetch: typeof globalThis.fetch = async () =>
      new Response('{"message":"401 Unauthorized"}', { status: 401 });
    const printed = await runCommand(traceCommand, ['export', '--project', '42'], { env, fetch });
    expect(printed.code).toBe(1);
    expect(printed.stderr).toContain('GitLab refused GITLAB_TOKEN (HTTP 401): it needs the read_api scope');
    expect(printed.stderr).not.toContain('glpat-secret');
  });
});
