import { describe, expect, it } from 'vitest';
import { GitlabAuthError, GitlabResponseError } from '../../lambdas/shared/gitlab/errors';
import { API_TOKEN, fakeGitlab, json } from '../shared/fake-gitlab';

/** A job of `GET /projects/:id/jobs`, trimmed from the Jobs API documentation's example. */
const listedJob = (id: number) => ({
  id,
  name: 'rspec:other',
  status: 'pending',
  stage: 'test',
  created_at: '2026-11-23T08:55:00.000Z',
  started_at: null,
  queued_duration: 300.5,
  tag_list: ['arm64'],
  pipeline: { id: 6, project_id: 380, ref: 'main', status: 'pending' },
  user: { id: 1, username: 'root' },
});

describe('GitLab listPendingJobs', () => {
  it('asks for one page of 100 pending jobs and follows x-next-page', async () => {
    const { api, requests } = fakeGitlab([json([listedJob(1977)], 200, { 'x-next-page': '3' })]);

    const page = await api.listPendingJobs(380, 2);

    expect(page).toEqual({
      jobs: [
        {
          id: 1977,
          projectId: 380,
          name: 'rspec:other',
          status: 'pending',
          createdAt: '2026-11-23T08:55:00.000Z',
          pipelineId: 6,
          queuedDurationSeconds: 300.5,
        },
      ],
      nextPage: 3,
    });
    const url = new URL(requests[0]?.url ?? '');
    expect(url.pathname).toBe('/api/v4/projects/380/jobs');
    expect([...url.searchParams]).toEqual([
      ['scope[]', 'pending'],
      ['per_page', '100'],
      ['page', '2'],
    ]);
    expect(requests[0]?.headers.get('PRIVATE-TOKEN')).toBe(API_TOKEN);
  });

  it.each([
    ['empty', ''],
    ['absent', undefined],
  ])('reads an %s x-next-page as the last page', async (_case, header) => {
    const { api } = fakeGitlab([json([], 200, header === undefined ? {} : { 'x-next-page': header })]);

    expect(await api.listPendingJobs(380, 1)).toEqual({ jobs: [], nextPage: undefined });
  });

  it('waits as 429 Retry-After says, then reads the page', async () => {
    const { api, delays } = fakeGitlab([
      json({ message: '429' }, 429, { 'retry-after': '2' }),
      json([listedJob(1)]),
    ]);

    const page = await api.listPendingJobs(380, 1);

    expect(page.jobs.map((j) => j.id)).toEqual([1]);
    expect(delays).toEqual([2000]);
  });

  it('fails at once on 401 with the typed auth error, without the token in the message', async () => {
    const { api, requests } = fakeGitlab([json({ message: '401 Unauthorized' }, 401)]);

    const error = await api.listPendingJobs(380, 1).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(GitlabAuthError);
    expect(String(error)).not.toContain(API_TOKEN);
    expect(requests).toHaveLength(1);
  });

  it('refuses a body that is not a job list', async () => {
    const { api } = fakeGitlab([json({ id: 1 })]);

    await expect(api.listPendingJobs(380, 1)).rejects.toBeInstanceOf(GitlabResponseError);
  });
});
