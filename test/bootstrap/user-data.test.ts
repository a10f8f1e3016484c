import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { renderUserData } from '../../lib/bootstrap/user-data';
import { settings } from './settings';

describe('renderUserData', () => {
  it('single-quotes every setting, escaping embedded single quotes', () => {
    const script = renderUserData({ ...settings, dockerImage: 'registry.example.com/ci:1.0' });

    expect(script.startsWith('#!/bin/bash\n')).toBe(true);
    expect(script.match(/^#!/gm)).toHaveLength(1);
    expect(script).toContain("SPOTLAB_DOCKER_IMAGE='registry.example.com/ci:1.0'\n");
    expect(script).toContain("SPOTLAB_PRIVILEGED='false'\n");
  });

  it('keeps a value holding a single quote literal for bash', () => {
    const script = renderUserData({ ...settings, gitlabUrl: "https://gitlab.example.com/o'neil" });
    const block = script
      .split('\n')
      .filter((line) => line.startsWith('SPOTLAB_'))
      .join('\n');

    const echoed = spawnSync('bash', ['-c', `${block}\nprintf '%s' "$SPOTLAB_GITLAB_URL"`], {
      encoding: 'utf8',
    });

    expect(script).toContain(`SPOTLAB_GITLAB_URL='https://gitlab.example.com/o'\\''neil'`);
    expect(echoed.stdout).toBe("https://gitlab.example.com/o'neil");
  });

  it.each([
    ['executor', { executor: 'kubernetes' }],
    ['arch', { arch: 'i386' }],
    ['waitTimeoutSeconds', { waitTimeoutSeconds: 1.5 }],
    ['tokenWaitSeconds', { tokenWaitSeconds: 0 }],
    ['tokenPrefix', { tokenPrefix: 'spotlab/no-leading-slash' }],
    ['gitlabUrl', { gitlabUrl: 'https://gitlab.example.com/' }],
    ['region', { region: 'Europe' }],
    ['cacheBucket', { cacheBucket: 'Bad_Bucket' }],
    ['dockerImage', { dockerImage: 'alpine; reboot' }],
    ['dockerGpus', { executor: 'shell', dockerGpus: true }],
  ])('throws an error naming %s when it is invalid', (field, bad) => {
    // Object.assign types as an intersection, so values the type forbids still reach the check,
    // as they would from untyped configuration.
    const render = (): string => renderUserData(Object.assign({}, settings, bad));

    expect(render).toThrow(`BootstrapSettings.${field}`);
  });

  it('refuses a value shaped like a GitLab token, so user data never carries one', () => {
    const render = (): string => renderUserData({ ...settings, dockerImage: 'glpat-abcdefghijklmnop' });

    expect(render).toThrow('BootstrapSettings.dockerImage looks like a GitLab token');
  });

  it('renders user data that holds no token-like value', () => {
    const script = renderUserData({ ...settings, cacheBucket: 'spotlab-cache' });

    expect(script).not.toMatch(/gl(rt|pat)-[A-Za-z0-9_-]{8,}/);
    expect(script).not.toMatch(/CI_SERVER_TOKEN=['"]?[A-Za-z0-9]/);
  });
});
