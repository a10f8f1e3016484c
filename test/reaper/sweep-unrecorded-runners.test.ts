import { describe, expect, it } from 'vitest';
import type { ReaperGitlab } from '../../lambdas/reaper/ports';
import { sweep } from '../../lambdas/reaper/sweep';
import { GitlabUnavailableError } from '../../lambdas/shared/gitlab/errors';
import { MINUTE, reaperWorld } from './reaper-world';

type World = ReturnType<typeof reaperWorld>;

/** The world's GitLab, recording the runner pages asked for and failing those `failing` names once. */
function pagedGitlab(w: World, failing: Set<number> = new Set()) {
  const pages: number[] = [];
  const gitlab: ReaperGitlab = {
    deleteRunner: (runnerId) => w.gitlab.deleteRunner(runnerId),
    listPendingJobs: (projectId, page) => w.gitlab.listPendingJobs(projectId, page),
    latestJob: (runnerId) => w.gitlab.latestJob(runnerId),
    async listRunners(scope, page) {
      pages.push(page);
      if (failing.delete(page)) throw new GitlabUnavailableError('GitLab answered HTTP 503');
      return w.gitlab.listRunners(scope, page);
    },
  };
  return { gitlab, pages };
}

const unrecordedReaped = (w: World) =>
  w.observer.events.filter((e) => e.startsWith('reaped runner_unrecorded'));

describe('reaper sweep: runners no job item names', () => {
  it('deletes the runner a failed scale-up rollback left, once it is 10 minutes old and GitLab never heard from it', async () => {
    const w = reaperWorld();
    const { runnerId } = await w.unrecorded();
    w.clock.advance(11 * MINUTE);

    const summary = await sweep(w.deps);

    expect(w.gitlab.runners.has(runnerId)).toBe(false);
    expect(unrecordedReaped(w)).toEqual([`reaped runner_unrecorded ${runnerId}`]);
    expect(summary).toMatchObject({ runnersDeleted: 1, unrecordedRunnersDeleted: 1, runnerPagesRead: 1 });
  });

  it('leaves a runner created a few minutes ago: scale-up may be recording its launch', async () => {
    const w = reaperWorld();
    const { runnerId } = await w.unrecorded();
    w.clock.advance(9 * MINUTE);

    await sweep(w.deps);

    expect(w.gitlab.runners.has(runnerId)).toBe(true);
  });

  it('leaves runners described otherwise than `spotlab job <id>`, whatever their age', async () => {
    const w = reaperWorld();
    const spec = {
      scope: { type: 'project' as const },
      projectId: 380,
      tags: ['arm64'],
      runUntagged: false,
      maximumTimeoutSeconds: 600,
    };
    const others = await Promise.all(
      ['shared-docker-runner', 'spotlab i-0aaaaaaaaaaaaaaa1', 'spotlab job 12 (copy)'].map((description) =>
        w.gitlab.createRunner({ ...spec, description }),
      ),
    );
    w.clock.advance(3 * 60 * MINUTE);

    await sweep(w.deps);

    expect(others.map((r) => w.gitlab.runners.has(r.id))).toEqual([true, true, true]);
  });

  it("never deletes a runner GitLab hears from: another stack's live instance", async () => {
    const w = reaperWorld();
    const { instanceId, runnerId } = await w.unrecorded('SpotlabStaging');
    w.gitlab.addJob(7, 380);
    w.gitlab.pickUp(7, runnerId);
    w.clock.advance(3 * 60 * MINUTE);

    await sweep(w.deps);

    expect(w.gitlab.runners.has(runnerId)).toBe(true);
    expect(w.ec2.instances.get(instanceId)?.state).toBe('running');
    expect(unrecordedReaped(w)).toEqual([]);
  });

  it("leaves a runner the job table names to its item's cleanup", async () => {
    const w = reaperWorld();
    const { instanceId, runnerId } = await w.launched(1);
    w.vanish(instanceId);
    w.clock.advance(3 * MINUTE);

    await sweep(w.deps);

    expect(w.observer.events).toContain(`reaped runner ${runnerId}`);
    expect(unrecordedReaped(w)).toEqual([]);
  });

  it('reads at most maxPagesPerSweep pages a sweep, the next sweep going on from there', async () => {
    const w = reaperWorld({ maxPagesPerSweep: 2 });
    w.gitlab.runnerPageSize = 1;
    for (let n = 0; n < 5; n += 1) await w.unrecorded('SpotlabStaging');
    const { gitlab, pages } = pagedGitlab(w);
    const deps = { ...w.deps, gitlab };

    const read = [];
    for (let n = 0; n < 4; n += 1) read.push((await sweep(deps)).runnerPagesRead);

    // Five pages: 1–2, 3–4, then 5 (the last), then from page 1 again.
    expect(pages).toEqual([1, 2, 3, 4, 5, 1, 2]);
    expect(read).toEqual([2, 2, 1, 2]);
  });

  it('reads first, next sweep, the page a GitLab failure stopped the listing at', async () => {
    const w = reaperWorld({ maxPagesPerSweep: 3 });
    w.gitlab.runnerPageSize = 1;
    for (let n = 0; n < 3; n += 1) await w.unrecorded('SpotlabStaging');
    const { gitlab, pages } = pagedGitlab(w, new Set([2]));
    const deps = { ...w.deps, gitlab };

    await sweep(deps);
    await sweep(deps);

    expect(pages).toEqual([1, 2, 2, 3]);
    expect(w.observer.events).toContain('failed list_runners 2');
  });

  it('lists no runners when the job table scan fails: every runner would look unrecorded', async () => {
    const w = reaperWorld();
    const { instanceId } = await w.unrecorded();
    w.vanish(instanceId);
    w.clock.advance(3 * MINUTE);
    w.table.failNext = 1;

    const summary = await sweep(w.deps);

    expect(w.gitlab.calls.listRunners).toBe(0);
    expect(summary.runnerPagesRead).toBe(0);
  });

  it('stops listing once GitLab refused the token', async () => {
    const w = reaperWorld();
    w.gitlab.runnerPageSize = 1;
    for (let n = 0; n < 3; n += 1) await w.unrecorded('SpotlabStaging');
    w.gitlab.failNext(401);

    await sweep(w.deps);

    expect(w.gitlab.calls.listRunners).toBe(1);
    expect(w.observer.events).toContain('auth 401');
  });
});
