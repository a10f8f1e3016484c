/**
 * First step of `npm test`: makes sure the system tools the tests need are there. As root on a
 * machine with apt-get (CI, a fresh Debian container) it installs what is missing; anywhere else
 * it stops at once, naming each missing tool and the lines that install it.
 */
import { spawnSync } from 'node:child_process';
import { ensureSystemTools, REQUIRED_TOOLS } from './system-tools';

const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
const apt = (args: readonly string[]): boolean =>
  spawnSync('apt-get', args, { stdio: 'inherit', env }).status === 0;
const canApt =
  process.getuid?.() === 0 && spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;

const ready = ensureSystemTools({
  tools: REQUIRED_TOOLS,
  // A fresh machine's package lists are empty until the first update.
  aptInstall: canApt
    ? (packages) => apt(['update', '-qq']) && apt(['install', '-y', '-qq', ...packages])
    : undefined,
  write: (text) => process.stderr.write(text),
});
if (!ready) process.exit(1);
