import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  GitlabAuthError,
  GitlabResponseError,
  GitlabUnavailableError,
} from '../../lambdas/shared/gitlab/errors';
import { exportTrace } from '../../planner/export/export-trace';
import { finishedJobPages, type JobPagesOptions } from '../../planner/export/gitlab-jobs';

const page = (n: 1 | 2): string =>
  readFileSync(new URL(`../fixtures/traces/gitlab-jobs-page-${n}.json`, import.meta.url), 'utf8');
const NEXT = 'https://gitlab.example.com/api/v4/projects/42/jobs?cursor=eyJpZCI6IjcwMTAifQ&per_page=100';

/** A fetch that answers from a script, one response per call, and records what it was asked. */
function scriptedFetch(responses: (() => Response)[]) {
  const calls: { url: string; token: string | null }[] = [];
  const stub: typeof fetch = async (input, init) => {
    calls.push({ url: String(input), token: new Headers(init?.headers).get('private-token') });
    const next = responses.shift();
    if (next === undefined) throw new Error('no more scripted responses');
    return next();
  };
  return { stub, calls };
}

function options(stub: typeof fetch, sleeps: number[] = []): JobPagesOptions {
  return {
    baseUrl: 'https://gitlab.example.com/',
    token: 'glpat-secret',
    projectId: 42,
    fetch: stub,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
  };
}

async function collect(pages: AsyncIterable<unknown[]>): Promise<unknown[][]> {
  const all: unknown[][] = [];
  for await (const items of pages) all.push(items);
  return all;
}

describe('finishedJobPages', () => {
  it('asks for finished jobs with keyset pagination and follows the Link header to the next page', async () => {
    const { stub, calls } = scriptedFetch([
      () => new Response(page(1), { headers: { link: `<${NEXT}>; rel="next"` } }),
      () => new Response(page(2)),
    ]);
    const pages = await collect(finishedJobPages(options(stub)));
    expect(pages.map((items) => items.length)).toEqual([3, 2]);
    expect(calls[0]?.url).toBe(
      'https://gitlab.example.com/api/v4/projects/42/jobs?per_page=100&pagination=keyset&scope%5B%5D=success&scope%5B%5D=failed&scope%5B%5D=canceled',
    );
    expect(calls[1]?.url).toBe(NEXT);
    expect(calls.every((call) => call.token === 'glpat-secret')).toBe(true);
  });

  it('falls back to x-next-page when GitLab answers with offset pagination', async () => {
    const { stub, calls } = scriptedFetch([
      () => new Response(page(1), { headers: { 'x-next-page': '2' } }),
      () => new Response(page(2), { headers: { 'x-next-page': '' } }),
    ]);
    expect(await collect(finishedJobPages(options(stub)))).toHaveLength(2);
    expect(new URL(calls[1]?.url ?? '').searchParams.get('page')).toBe('2');
    expect(new URL(calls[1]?.url ?? '').searchParams.has('pagination')).toBe(false);
  });

  it('waits out a 429 for Retry-After seconds, then carries on', async () => {
    const sleeps: number[] = [];
    const { stub } = scriptedFetch([
      () =>
        new Response('{"message":"429 Too Many Requests"}', { status: 429, headers: { 'retry-after': '7' } }),
      () => new Response(page(2)),
    ]);
    expect(await collect(finishedJobPages(options(stub, sleeps)))).toHaveLength(1);
    expect(sleeps).toEqual([7000]);
  });

  it('gives up after a bounded number of 429s', async () => {
    const sleeps: number[] = [];
    const tooMany = () => new Response('', { status: 429, headers: { 'retry-after': '1' } });
    const { stub } = scriptedFetch([tooMany, tooMany, tooMany]);
    const pages = finishedJobPages({ ...options(stub, sleeps), maxAttempts: 3 });
    await expect(collect(pages)).rejects.toBeInstanceOf(GitlabUnavailableError);
    expect(sleeps).toEqual([1000, 1000]);
  });

  it('fails at once on 401 without retrying, and never names the token', async () => {
    const { stub, calls } = scriptedFetch([
      () => new Response('{"message":"401 Unauthorized"}', { status: 401 }),
    ]);
    const failure = collect(finishedJobPages(options(stub)));
    await expect(failure).rejects.toBeInstanceOf(GitlabAuthError);
    await expect(failure).rejects.not.toThrow(/glpat-secret/);
    expect(calls).toHaveLength(1);
  });

  it('refuses a pagination link to another host, so the token never leaves the instance', async () => {
    const { stub, calls } = scriptedFetch([
      () =>
        new Response(page(1), { headers: { link: '<https://evil.example.net/jobs?cursor=x>; rel="next"' } }),
    ]);
    await expect(collect(finishedJobPages(options(stub)))).rejects.toBeInstanceOf(GitlabResponseError);
    expect(calls).toHaveLength(1);
  });
});

describe('exportTrace', () => {
  async function* pagesOf(...pages: string[]) {
    for (const text of pages) yield JSON.parse(text);
  }

  it('keeps the jobs since the cutoff, in queue order, queued at start minus queued_duration', async () => {
    const since = Date.parse('2026-02-01T00:00:00Z');
    const trace = await exportTrace(pagesOf(page(1), page(2)), 42, since);
    expect(trace.jobs).toEqual([
      {
        project: 42,
        createdAtMs: Date.parse('2026-03-01T16:00:00Z'),
        queuedAtMs: Date.parse('2026-03-01T16:00:00Z'),
        durationSeconds: 120.25,
        tags: [],
        name: 'deploy',
      },
      {
        project: 42,
        createdAtMs: Date.parse('2026-03-02T10:00:00Z'),
        queuedAtMs: Date.parse('2026-03-02T10:00:00Z'),
        durationSeconds: 340,
        tags: ['docker'],
        name: 'build',
      },
      {
        project: 42,
        createdAtMs: Date.parse('2026-03-02T10:00:00Z'),
        queuedAtMs: Date.parse('2026-03-02T10:06:00Z'),
        durationSeconds: 600,
        tags: ['docker', 'arm64'],
        name: 'rspec:other',
      },
    ]);
    // The job cancelled while pending never ran: nothing to replay.
    expect(trace.skipped).toBe(1);
  });

  it('stops paging once a page reaches jobs older than the cutoff', async () => {
    let pulled = 0;
    async function* endless() {
      for (;;) {
        pulled += 1;
        yield JSON.parse(page(pulled === 1 ? 1 : 2));
      }
    }
    const progress: number[] = [];
    // Page 1 already holds a job (09:40) older than the cutoff: page 2 is never asked for.
    await exportTrace(endless(), 42, Date.parse('2026-03-02T09:50:00Z'), (p) => progress.push(p.jobs));
    expect(pulled).toBe(1);
    expect(progress).toEqual([2]);
  });
});
