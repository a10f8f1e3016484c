import { describe, expect, it } from 'vitest';
import {
  GitlabAuthError,
  GitlabJobNotRetryableError,
  GitlabNotFoundError,
  GitlabResponseError,
  GitlabUnavailableError,
} from '../../lambdas/shared/gitlab/errors';
import { InMemoryGitlab } from '../../sim/in-memory-gitlab';
import { type Answer, API_TOKEN, fakeGitlab, json, jsonText, rejection } from '../shared/fake-gitlab';

/**
 * `POST /projects/:id/jobs/:job_id/cancel` and `/retry` answer 201 with the job (for retry: the
 * new job), trimmed from the Jobs API documentation (doc/api/jobs.md, "Cancel a job", "Retry a job").
 */
const CANCELED_JOB = JSON.stringify({
  id: 1977,
  name: 'test',
  stage: 'test',
  status: 'canceled',
  started_at: '2026-11-23T09:00:31.000Z',
  finished_at: null,
  runner: null,
  web_url: 'https://gitlab.example.com/gitlab-org/gitlab-test/-/jobs/1977',
});
const RETRIED_JOB = JSON.stringify({
  id: 1978,
  name: 'test',
  stage: 'test',
  status: 'pending',
  started_at: null,
  finished_at: null,
  runner: null,
  web_url: 'https://gitlab.example.com/gitlab-org/gitlab-test/-/jobs/1978',
});

/** GitLab's error body: `{"message": …}`. */
const refusal = (code: number, message: string): Answer => json({ message }, code);

describe('gitlabHttpApi.cancelJob', () => {
  it('posts to /projects/:id/jobs/:job_id/cancel with the PRIVATE-TOKEN header and returns the status', async () => {
    const gitlab = fakeGitlab([jsonText(CANCELED_JOB, 201)]);

    const status = await gitlab.api.cancelJob(380, 1977);

    expect(status).toBe('canceled');
    expect(gitlab.requests[0]?.method).toBe('POST');
    expect(gitlab.requests[0]?.url).toBe('https://gitlab.example.com/api/v4/projects/380/jobs/1977/cancel');
    expect(gitlab.requests[0]?.headers.get('PRIVATE-TOKEN')).toBe(API_TOKEN);
  });

  it('returns the status a job ended with, which cancelling does not change', async () => {
    const gitlab = fakeGitlab([jsonText(CANCELED_JOB.replace('"canceled"', '"success"'), 201)]);

    expect(await gitlab.api.cancelJob(380, 1977)).toBe('success');
  });

  it('fails with GitlabResponseError when the answer is not a job', async () => {
    const gitlab = fakeGitlab([jsonText('{"ok":true}', 201)]);

    expect(await rejection(gitlab.api.cancelJob(380, 1977))).toBeInstanceOf(GitlabResponseError);
  });
});

describe('gitlabHttpApi.retryJob', () => {
  it('posts to /projects/:id/jobs/:job_id/retry and returns the id of the new job', async () => {
    const gitlab = fakeGitlab([jsonText(RETRIED_JOB, 201)]);

    const retriedJobId = await gitlab.api.retryJob(380, 1977);

    expect(retriedJobId).toBe(1978);
    expect(gitlab.requests[0]?.method).toBe('POST');
    expect(gitlab.requests[0]?.url).toBe('https://gitlab.example.com/api/v4/projects/380/jobs/1977/retry');
  });

  it('fails with GitlabJobNotRetryableError, not an auth error, on 403 "Job is not retryable"', async () => {
    const gitlab = fakeGitlab([refusal(403, '403 Forbidden - Job is not retryable')]);

    const error = await rejection(gitlab.api.retryJob(380, 1977));

    expect(error).toBeInstanceOf(GitlabJobNotRetryableError);
    expect(error.message).toBe('GitLab POST /projects/:id/jobs/:id/retry: job is not retryable');
    expect(gitlab.requests).toHaveLength(1);
  });

  it.each<[string, Answer]>([
    ['403 Forbidden (the token may not update builds)', refusal(403, '403 Forbidden')],
    ['403 insufficient_scope', jsonText('{"error":"insufficient_scope","scope":"api"}', 403)],
    ['403 with a body that is not JSON', jsonText('<html>Forbidden</html>', 403)],
    ['401 Unauthorized', refusal(401, '401 Unauthorized')],
  ])('fails with GitlabAuthError on %s, without retrying', async (_name, reply) => {
    const gitlab = fakeGitlab([reply]);

    expect(await rejection(gitlab.api.retryJob(380, 1977))).toBeInstanceOf(GitlabAuthError);
    expect(gitlab.requests).toHaveLength(1);
  });

  it('fails with GitlabNotFoundError for a job that is gone', async () => {
    const gitlab = fakeGitlab([refusal(404, '404 Job Not Found')]);

    expect(await rejection(gitlab.api.retryJob(380, 1977))).toBeInstanceOf(GitlabNotFoundError);
  });

  it('retries 5xx and fails with GitlabUnavailableError after maxAttempts calls', async () => {
    const gitlab = fakeGitlab([refusal(502, '502 Bad Gateway')]);

    expect(await rejection(gitlab.api.retryJob(380, 1977))).toBeInstanceOf(GitlabUnavailableError);
    expect(gitlab.requests).toHaveLength(3);
  });

  it('never puts the API token in an error message', async () => {
    const gitlab = fakeGitlab([refusal(403, '403 Forbidden - Job is not retryable')]);

    expect((await rejection(gitlab.api.retryJob(380, 1977))).message).not.toContain(API_TOKEN);
  });
});

describe('InMemoryGitlab: cancel and retry', () => {
  it('cancels a running job and leaves an ended one as it was', async () => {
    const gitlab = new InMemoryGitlab();
    gitlab.addJob(1, 380, [], 'running');
    gitlab.addJob(2, 380, [], 'success');

    expect([await gitlab.cancelJob(380, 1), await gitlab.cancelJob(380, 2)]).toEqual(['canceled', 'success']);
  });

  it('retries an ended job as a new pending job with the same tags, once', async () => {
    const gitlab = new InMemoryGitlab();
    gitlab.addJob(1, 380, ['arm64'], 'canceled');

    const retriedJobId = await gitlab.retryJob(380, 1);

    expect(gitlab.jobs.get(retriedJobId)).toMatchObject({
      status: 'pending',
      projectId: 380,
      tagList: ['arm64'],
    });
    await expect(gitlab.retryJob(380, 1)).rejects.toBeInstanceOf(GitlabJobNotRetryableError);
  });

  it.each(['running', 'pending'])('refuses to retry a %s job', async (status) => {
    const gitlab = new InMemoryGitlab();
    gitlab.addJob(1, 380, [], status);

    await expect(gitlab.retryJob(380, 1)).rejects.toBeInstanceOf(GitlabJobNotRetryableError);
  });

  it('fails with GitlabNotFoundError for a job of another project', async () => {
    const gitlab = new InMemoryGitlab();
    gitlab.addJob(1, 380, [], 'failed');

    await expect(gitlab.cancelJob(381, 1)).rejects.toBeInstanceOf(GitlabNotFoundError);
    await expect(gitlab.retryJob(381, 1)).rejects.toBeInstanceOf(GitlabNotFoundError);
  });

  it('answers with the injected faults, and counts the calls', async () => {
    const gitlab = new InMemoryGitlab();
    gitlab.addJob(1, 380, [], 'failed');
    gitlab.failNext(503);

    await expect(gitlab.retryJob(380, 1)).rejects.toBeInstanceOf(GitlabUnavailableError);
    await gitlab.retryJob(380, 1);
    expect(gitlab.calls.retryJob).toBe(2);
    expect(gitlab.totalCalls).toBe(2);
  });
});
