import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bakeComponentDocument, renderBakeScript } from '../../lib/bootstrap/image-component';

const bake = { arch: 'arm64', runnerVersion: '19.3.0', prePulledImages: ['node:22-alpine'] } as const;
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('image bake script', () => {
  it('passes shellcheck once rendered with its settings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spotlab-bake-'));
    dirs.push(dir);
    const script = join(dir, 'bake.sh');
    writeFileSync(script, renderBakeScript(bake));

    const result = spawnSync('shellcheck', ['-s', 'bash', script], { encoding: 'utf8' });

    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  });

  it('shares the bootstrap install code, so the runner download is verified the same way', () => {
    expect(renderBakeScript(bake)).toContain('expected_sha256()');
    expect(renderBakeScript(bake)).toContain('install_gitlab_runner()');
  });

  it('refuses an image reference that could carry shell syntax', () => {
    expect(() => renderBakeScript({ ...bake, prePulledImages: ['node;reboot'] })).toThrow(/prePulledImages/);
  });

  it('is an AWSTOE document with one ExecuteBash build step', () => {
    const document: unknown = JSON.parse(bakeComponentDocument(bake));

    expect(document).toMatchObject({
      schemaVersion: '1.0',
      phases: [{ name: 'build', steps: [{ action: 'ExecuteBash' }] }],
    });
  });
});
