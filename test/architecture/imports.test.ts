import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importViolations } from './import-rules';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'spotlab-imports-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('the import rules (docs/architecture.md)', () => {
  it('hold for the whole tree: no Lambda imports a sibling, shared imports no Lambda, no cycle between the tools', () => {
    expect(importViolations(resolve('.'))).toEqual([]);
  });

  it('fail on a Lambda that imports from its sibling', () => {
    const root = tree({
      'lambdas/reaper/sweep.ts': "import { hourlyPrice } from '../scale-up/prices';\n",
      'lambdas/scale-up/prices.ts': 'export const hourlyPrice = 1;\n',
    });
    try {
      expect(importViolations(root)).toEqual([
        { file: 'lambdas/reaper/sweep.ts', imports: 'lambdas/scale-up/prices' },
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('fail on shared code that imports from a Lambda, and on the planner importing the simulator', () => {
    const root = tree({
      'lambdas/shared/gitlab/port.ts': "import type { RunnerScope } from '../../scale-up/settings';\n",
      'planner/run.ts': "import { Prng } from '../sim/world/prng';\n",
      'lambdas/webhook/handler.ts': "import { x } from '../shared/errors';\nimport { y } from './intake';\n",
    });
    try {
      expect(importViolations(root)).toEqual([
        { file: 'lambdas/shared/gitlab/port.ts', imports: 'lambdas/scale-up/settings' },
        { file: 'planner/run.ts', imports: 'sim/world/prng' },
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
