import { describe, expect, it } from 'vitest';
import { gitlabMemo } from '../../lambdas/scale-up/gitlab-memo';
import { SimClock } from '../../sim/clock';
import { InMemoryGitlab } from '../../sim/in-memory-gitlab';

describe('gitlabMemo', () => {
  const setup = () => {
    const clock = new SimClock();
    const gitlab = new InMemoryGitlab();
    gitlab.addProject(380, 'acme/platform/gitlab-test');
    return { clock, gitlab, memo: gitlabMemo(gitlab, clock.now) };
  };

  it('asks GitLab where a project lives once per 10 minutes, however many jobs ask', async () => {
    const { clock, gitlab, memo } = setup();

    await Promise.all([memo.project(380), memo.project(380), memo.project(380)]);
    clock.advance(9 * 60_000);
    await memo.project(380);
    clock.advance(2 * 60_000);
    const project = await memo.project(380);

    expect(project.namespaceFullPath).toBe('acme/platform');
    expect(gitlab.calls.getProject).toBe(2);
  });

  it('does not remember a lookup that failed', async () => {
    const { gitlab, memo } = setup();
    gitlab.failNext(503);

    await expect(memo.project(380)).rejects.toThrow();
    await memo.project(380);

    expect(gitlab.calls.getProject).toBe(2);
  });

  it('remembers a runner refusal for two minutes, per scope key', () => {
    const { clock, memo } = setup();

    memo.noteRefused('project:1');
    const fresh = [memo.refusesRunners('project:1'), memo.refusesRunners('project:2')];
    clock.advance(2 * 60_000 + 1);

    expect(fresh).toEqual([true, false]);
    expect(memo.refusesRunners('project:1')).toBe(false);
  });
});
