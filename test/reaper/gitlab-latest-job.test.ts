import { describe, expect, it } from 'vitest';
import {
  GitlabAuthError,
  GitlabResponseError,
  GitlabUnavailableError,
} from '../../lambdas/shared/gitlab/errors';
import { API_TOKEN, fakeGitlab, json } from '../shared/fake-gitlab';

/** A job of `GET /runners/:id/jobs`, trimmed from the Runners API documentation's example. */
const runningJob = {
  id: 2,
  status: 'running',
  stage: 'test',
  name: 'test',
  ref: 'main',
  tag: false,
  created_at: '2026-11-23T08:55:00.000Z',
  started_at: '2026-11-23T08:56:00.000Z',
  finished_at: null,
  duration: null,
  pipeline: { id: 2, project_id: 380, ref: 'main', status: 'running' },
  project: { id: 380, name: 'spotlab', path_with_namespace: 'acme/spotlab' },
};

describe('GitLab latestJob', () => {
  it("asks for the runner's newest job, with the API token, and names it, its project and its status", async () => {
    const { api, requests } = fakeGitlab([json([runningJob])]);

    const job = await api.latestJob(9037);

    expect(job).toEqual({ id: 2, projectId: 380, status: 'running' });
    expect(requests).toHaveLength(1);
    expect(requests[0]?.method).toBe('GET');
    expect(requests[0]?.url).toBe(
      'https://gitlab.example.com/api/v4/runners/9037/jobs?order_by=id&sort=desc&per_page=1',
    );
    expect(requests[0]?.headers.get('PRIVATE-TOKEN')).toBe(API_TOKEN);
  });

  it.each<[string, () => Response]>([
    ['an empty list', json([])],
    ['404: the runner was deleted', json({ message: '404 Not found' }, 404)],
  ])('finds no job on %s', async (_case, answer) => {
    const { api } = fakeGitlab([answer]);

    expect(await api.latestJob(9037)).toBeUndefined();
  });

  it('reports a job GitLab failed after its runner vanished', async () => {
    const failed = { ...runningJob, status: 'failed', failure_reason: 'runner_system_failure' };
    const { api } = fakeGitlab([json([failed])]);

    expect(await api.latestJob(9037)).toEqual({ id: 2, projectId: 380, status: 'failed' });
  });

  it.each<[string, () => Response, new (...args: never[]) => Error]>([
    ['a body that is not a job list', json({ id: 2 }), GitlabResponseError],
    ['a job without an id', json([{ status: 'running', project: { id: 380 } }]), GitlabResponseError],
    ['a job without a status', json([{ id: 2, project: { id: 380 } }]), GitlabResponseError],
    ['a job without its project', json([{ id: 2, status: 'running' }]), GitlabResponseError],
    ['403: the token cannot see the runner', json({ message: '403 Forbidden' }, 403), GitlabAuthError],
    ['503 on every attempt', json({ message: 'unavailable' }, 503), GitlabUnavailableError],
  ])('fails on %s', async (_case, answer, error) => {
    const { api } = fakeGitlab([answer]);

    await expect(api.latestJob(9037)).rejects.toBeInstanceOf(error);
  });
});
