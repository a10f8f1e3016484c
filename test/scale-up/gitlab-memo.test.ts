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

  it('shares one runner probe between concurrent callers and forgets a refusal sooner than an acceptance', async () => {
    const { clock, memo } = setup();
    let probes = 0;
    const probe = async () => {
      probes += 1;
      return 'refused' as const;
    };

    await Promise.all([memo.runnerVerdict('project:1', probe), memo.runnerVerdict('project:1', probe)]);
    clock.advance(2 * 60_000 + 1);
    await memo.runnerVerdict('project:1', probe);
    memo.noteRunner('project:2', 'accepted');
    clock.advance(5 * 60_000);
    const accepted = await memo.runnerVerdict('project:2', probe);

    expect(probes).toBe(2);
    expect(accepted).toBe('accepted');
  });
});
