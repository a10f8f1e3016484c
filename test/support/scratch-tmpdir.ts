import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Vitest global setup: every test worker, and every process a test starts (esbuild, cdk, bash,
 * Chromium), gets one scratch folder as its temp folder (`TMPDIR`, which `os.tmpdir()` reads on
 * each call), and the whole folder is removed when the run ends, so a run leaves nothing in the
 * system temp folder even when a test fails before its own clean-up.
 */
export default function setup(): () => void {
  const previous = process.env.TMPDIR;
  const scratch = mkdtempSync(join(tmpdir(), 'spotlab-test-run-'));
  process.env.TMPDIR = scratch;
  return () => {
    rmSync(scratch, { recursive: true, force: true });
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
  };
}
