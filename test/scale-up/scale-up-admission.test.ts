import { describe, expect, it } from 'vitest';
import { scaleUp } from '../../lambdas/scale-up/scale-up';
import { GitlabUnavailableError } from '../../lambdas/shared/gitlab/errors';
import { demand, world } from './scale-up-world';

describe('scale-up: only allowed projects cause launches', () => {
  it('records a job of a project the allow-list does not name as refused, and launches nothing for it', async () => {
    const w = world({ admission: { allowedProjects: [380] } });
    w.gitlab.addJob(1, 380);
    w.gitlab.addJob(2, 666);

    const retry = await scaleUp([demand(1, 380), demand(2, 666)], w.deps);

    expect(retry).toEqual([]);
    expect(w.ledger.items.get(2)).toMatchObject({ state: 'skipped', skipReason: 'project_not_allowed' });
    expect(w.observer.events).toContain('refused 2 project_not_allowed');
    expect(w.ec2.running().map((i) => i.tags['spotlab:job-id'])).toEqual(['1']);
    expect([...w.gitlab.runners.values()].map((r) => r.projectId)).toEqual([380]);
    // The id alone decides: no project lookup.
    expect(w.gitlab.calls.getProject).toBe(0);
  });

  it('admits projects under an allowed namespace, subgroups included, at a path segment boundary', async () => {
    const w = world({ admission: { allowedNamespaces: ['acme/platform'] } });
    w.gitlab.addProject(380, 'acme/platform/gitlab-test');
    w.gitlab.addProject(381, 'Acme/Platform/tools/deploy');
    w.gitlab.addProject(382, 'acme/platform-legacy/app');
    for (const [job, project] of [
      [1, 380],
      [2, 381],
      [3, 382],
    ] as const)
      w.gitlab.addJob(job, project);

    await scaleUp([demand(1, 380), demand(2, 381), demand(3, 382)], w.deps);

    expect(w.ec2.running()).toHaveLength(2);
    expect(w.ledger.items.get(3)).toMatchObject({ state: 'skipped', skipReason: 'project_not_allowed' });
  });
});

describe('scale-up: group scope serves only the group', () => {
  const groupWorld = () => {
    const w = world({ scope: { type: 'group', groupId: 12 } });
    w.gitlab.addGroup(12, 'acme');
    w.gitlab.addProject(380, 'acme/platform/gitlab-test');
    w.gitlab.addProject(990, 'other-org/app');
    return w;
  };

  it('launches nothing and registers no runner for a project outside the group', async () => {
    const w = groupWorld();
    w.gitlab.addJob(5, 990);

    const retry = await scaleUp([demand(5, 990)], w.deps);

    expect(retry).toEqual([]);
    expect(w.ec2.calls.createFleet).toBe(0);
    expect(w.gitlab.calls.createRunner).toBe(0);
    expect(w.ledger.items.get(5)).toMatchObject({ state: 'skipped', skipReason: 'outside_group' });
    expect(w.observer.events).toContain('refused 5 outside_group');
  });

  it("spends one project and one group lookup on a burst of one project's jobs, in this batch and the next", async () => {
    const w = groupWorld();
    const ids = [11, 12, 13, 14, 15];
    for (const id of ids) w.gitlab.addJob(id, 380);

    await scaleUp(
      ids.slice(0, 3).map((id) => demand(id, 380)),
      w.deps,
    );
    await scaleUp(
      ids.slice(3).map((id) => demand(id, 380)),
      w.deps,
    );

    expect(w.ec2.running()).toHaveLength(5);
    expect(w.gitlab.calls.getProject).toBe(1);
    expect(w.gitlab.calls.getGroup).toBe(1);
  });
});

describe('scale-up: a refused runner costs no instance', () => {
  it('creates no fleet and leaves nothing behind when GitLab answers 403 to the runner, and serves other projects', async () => {
    const w = world();
    w.gitlab.refusesRunnersFor.add(666);
    w.gitlab.addJob(1, 666);
    w.gitlab.addJob(2, 666);
    w.gitlab.addJob(3, 380);

    const retry = await scaleUp([demand(1, 666), demand(2, 666), demand(3, 380)], w.deps);

    expect(retry).toEqual([]);
    expect(w.ec2.calls.createFleet).toBe(1);
    expect(w.ec2.running().map((i) => i.tags['spotlab:project-id'])).toEqual(['380']);
    expect([...w.gitlab.runners.values()].map((r) => r.projectId)).toEqual([380]);
    expect(w.tokens.tokens.size).toBe(1);
    for (const job of [1, 2])
      expect(w.ledger.items.get(job)).toMatchObject({ state: 'skipped', skipReason: 'runner_refused' });
  });

  it('makes no CreateFleet call at all when every project is refused, and does not ask again in the next batch', async () => {
    const w = world();
    w.gitlab.refusesRunnersFor.add(666);
    w.gitlab.addJob(1, 666);
    w.gitlab.addJob(2, 666);

    await scaleUp([demand(1, 666)], w.deps);
    await scaleUp([demand(2, 666)], w.deps);

    expect(w.ec2.calls.createFleet).toBe(0);
    expect(w.ec2.instances.size).toBe(0);
    expect(w.gitlab.runners.size).toBe(0);
    expect(w.tokens.tokens.size).toBe(0);
    expect(w.gitlab.calls.createRunner).toBe(1);
  });

  it('launches nothing for a project whose runner GitLab refuses after accepting its earlier ones', async () => {
    const w = world();
    w.gitlab.addJob(1, 380);
    w.gitlab.addJob(2, 380);

    await scaleUp([demand(1, 380)], w.deps);
    // The token lost its access to the project since.
    w.gitlab.refusesRunnersFor.add(380);
    const fleetsBefore = w.ec2.calls.createFleet;
    const retry = await scaleUp([demand(2, 380)], w.deps);

    expect(retry).toEqual([]);
    expect(w.ec2.calls.createFleet).toBe(fleetsBefore);
    expect(w.ec2.instances.size).toBe(1);
    expect(w.ledger.items.get(2)).toMatchObject({ state: 'skipped', skipReason: 'runner_refused' });
  });
});

describe('scale-up: the runner before the instance', () => {
  it('launches nothing and retries the job when GitLab cannot create its runner now (503)', async () => {
    const w = world();
    w.gitlab.addJob(1, 380);
    w.gitlab.createRunner = async () => {
      throw new GitlabUnavailableError('GitLab answered HTTP 503');
    };

    const retry = await scaleUp([demand(1, 380)], w.deps);

    expect(retry).toHaveLength(1);
    expect(w.gitlab.calls.getJob).toBe(1);
    expect(w.ec2.calls.createFleet).toBe(0);
    expect(w.ledger.items.has(1)).toBe(false);
    // Not a refusal: the next delivery asks GitLab again.
    expect(w.deps.memo.refusesRunners('project:380')).toBe(false);
  });

  it('spends one job read and one runner creation per job, and no delete, on the happy path', async () => {
    const w = world();
    for (const id of [1, 2, 3]) w.gitlab.addJob(id, 380);

    await scaleUp([demand(1, 380), demand(2, 380), demand(3, 380)], w.deps);

    expect(w.gitlab.calls).toMatchObject({ getJob: 3, createRunner: 3, deleteRunner: 0 });
    expect([...w.gitlab.runners.values()].map((r) => r.description).sort()).toEqual([
      'spotlab job 1',
      'spotlab job 2',
      'spotlab job 3',
    ]);
  });
});

describe('scale-up: one project cannot take every instance', () => {
  it("stops a flooding project at its cap while another project's job launches, and retries the rest", async () => {
    const w = world({ limits: { maxInstances: 12, maxSpendPerHourUsd: 100, maxInstancesPerProject: 3 } });
    const flood = [1, 2, 3, 4, 5, 6];
    for (const id of flood) w.gitlab.addJob(id, 666);
    w.gitlab.addJob(7, 380);

    const retry = await scaleUp([...flood.map((id) => demand(id, 666)), demand(7, 380)], w.deps);

    expect(retry).toHaveLength(3);
    expect(w.observer.events).toContain('waiting arm-docker 3');
    const jobsLaunched = w.ec2.running().flatMap((i) => (i.tags['spotlab:job-id'] ?? '').split(','));
    expect(new Set(jobsLaunched)).toEqual(new Set(['1', '2', '3', '7']));
    for (const id of [4, 5, 6]) expect(w.ledger.items.has(id)).toBe(false);

    // The next batch finds project 666 at its cap still: its jobs wait again, none is dropped.
    const again = await scaleUp(
      [4, 5, 6].map((id) => demand(id, 666)),
      w.deps,
    );
    expect(again).toHaveLength(3);
    expect(w.ec2.running()).toHaveLength(4);
  });
});
