import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import setup from '../support/scratch-tmpdir';

describe('the test run’s scratch temp folder', () => {
  it('is the temp folder during the run and is removed with everything in it at the end', () => {
    const before = tmpdir();
    const teardown = setup();
    const scratch = tmpdir();
    mkdirSync(join(scratch, 'left-by-a-test'));
    writeFileSync(join(scratch, 'left-by-a-test', 'file'), 'x');

    teardown();

    expect(scratch.startsWith(join(before, 'spotlab-test-run-'))).toBe(true);
    expect(existsSync(scratch)).toBe(false);
    expect(tmpdir()).toBe(before);
  });
});
