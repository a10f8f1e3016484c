import { describe, expect, it } from 'vitest';
import {
  inNamespace,
  judgeLocation,
  listVerdict,
  locationNeeded,
  runnerScopeKey,
} from '../../lambdas/scale-up/admission';
import { encodeProjectTag, projectShares } from '../../lambdas/scale-up/project-tag';
import { fixtureJson } from '../support/fixtures';

const project = fixtureJson('api-get-project');
const PATH = String(project.path_with_namespace);

describe('inNamespace', () => {
  it.each<[string, string, boolean]>([
    [PATH, 'acme/platform', true],
    [PATH, 'acme', true],
    [PATH, 'ACME/Platform', true],
    [PATH, 'acme/platform/', true],
    [PATH, 'acme/plat', false],
    [PATH, 'acme/platform/gitlab-test', false],
    ['acme/platform-legacy/app', 'acme/platform', false],
    [PATH, '', false],
  ])('%s lies in %j: %s', (path, namespace, expected) => {
    expect(inNamespace(path, namespace)).toBe(expected);
  });
});

describe('the allow-lists', () => {
  it('admit every project when neither is set', () => {
    expect(listVerdict(380, {})).toBe('allowed');
  });

  it('admit a listed project id without reading where it lives', () => {
    const policy = { allowedProjects: [380], allowedNamespaces: ['other'] };
    expect(listVerdict(380, policy)).toBe('allowed');
    expect(locationNeeded(listVerdict(380, policy), { type: 'project' })).toBe(false);
  });

  it('refuse an unlisted project id when no namespace is allowed', () => {
    expect(listVerdict(666, { allowedProjects: [380] })).toBe('refused');
  });

  it('read where an unlisted project lives when namespaces are allowed', () => {
    const verdict = listVerdict(380, { allowedProjects: [1], allowedNamespaces: ['acme/platform'] });
    expect(verdict).toBe('by_namespace');
    expect(judgeLocation(PATH, verdict, { allowedNamespaces: ['acme/platform'] }, undefined)).toBeUndefined();
    expect(judgeLocation(PATH, verdict, { allowedNamespaces: ['acme/tools'] }, undefined)).toBe(
      'project_not_allowed',
    );
  });
});

describe('group scope', () => {
  it('always needs where the project lives', () => {
    expect(locationNeeded('allowed', { type: 'group', groupId: 12 })).toBe(true);
  });

  it("admits a project of the group's subgroup and refuses one of another group", () => {
    expect(judgeLocation(PATH, 'allowed', {}, 'acme')).toBeUndefined();
    expect(judgeLocation('other-org/app', 'allowed', {}, 'acme')).toBe('outside_group');
  });
});

describe('runnerScopeKey', () => {
  it('judges project runners per project, group runners per group, instance runners once', () => {
    expect(runnerScopeKey({ type: 'project' }, 380)).toBe('project:380');
    expect(runnerScopeKey({ type: 'group', groupId: 12 }, 380)).toBe('group:12');
    expect(runnerScopeKey({ type: 'instance' }, 380)).toBe('instance');
  });
});

describe('the spotlab:project-id tag', () => {
  it("lists each project with its number of the launch's jobs, most first, a bare id for one", () => {
    expect(encodeProjectTag([412, 380, 380, 380])).toBe('380:3,412');
    expect(encodeProjectTag([380])).toBe('380');
  });

  it('reads back each project’s share of an instance', () => {
    expect(projectShares('380:3,412')).toEqual(
      new Map([
        [380, 0.75],
        [412, 0.25],
      ]),
    );
    expect(projectShares('380')).toEqual(new Map([[380, 1]]));
    expect(projectShares(undefined)).toEqual(new Map());
  });

  it('stays within the 256 characters of an EC2 tag value, leaving out the projects with fewest jobs', () => {
    const ids = Array.from({ length: 60 }, (_, i) => 1_000_000 + i);
    const tag = encodeProjectTag([...ids, 1_000_000]);
    expect(tag.length).toBeLessThanOrEqual(256);
    expect(tag.startsWith('1000000:2,')).toBe(true);
  });
});
