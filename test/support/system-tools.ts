import { spawnSync } from 'node:child_process';
import { findChromium } from '../../demo/offline-page';

/** A program outside npm that a test needs, and how to install it. */
export interface SystemTool {
  /** The command's name. */
  readonly name: string;
  /** Which tests need it. */
  readonly neededBy: string;
  /** Debian's package that installs it. */
  readonly debianPackage: string;
  /** The install line on macOS (Homebrew). */
  readonly macos: string;
  /** Whether it is installed on this machine. */
  readonly installed: () => boolean;
}

const onPath = (command: string): boolean =>
  spawnSync(command, ['--version'], { stdio: 'ignore' }).error === undefined;

/** Every system tool the test command needs. None is optional: no test is skipped for want of one. */
export const REQUIRED_TOOLS: readonly SystemTool[] = [
  {
    name: 'shellcheck',
    neededBy: 'the instance bootstrap script tests (test/bootstrap)',
    debianPackage: 'shellcheck',
    macos: 'brew install shellcheck',
    installed: () => onPath('shellcheck'),
  },
  {
    name: 'chromium',
    neededBy: 'the HTML report tests in headless Chromium (test/report)',
    debianPackage: 'chromium',
    macos: 'brew install --cask chromium',
    installed: () => findChromium() !== undefined,
  },
];

/** The tools of `tools` that are not installed. */
export const missingTools = (tools: readonly SystemTool[] = REQUIRED_TOOLS): SystemTool[] =>
  tools.filter((tool) => !tool.installed());

/** What to tell someone who lacks `missing`: each tool, why, and the lines that install them. */
export function installAdvice(missing: readonly SystemTool[]): string {
  return [
    'npm test needs system tools that are not installed:',
    ...missing.map((tool) => `  - ${tool.name}: ${tool.neededBy}`),
    'Install them, then run npm test again:',
    `  Debian: sudo apt-get install -y ${missing.map((tool) => tool.debianPackage).join(' ')}`,
    `  macOS:  ${missing.map((tool) => tool.macos).join(' && ')}`,
    '  (Chromium elsewhere: set CHROMIUM_PATH to its binary.)',
  ].join('\n');
}

/** What {@link ensureSystemTools} may do on this machine. */
export interface EnsureDeps {
  readonly tools: readonly SystemTool[];
  /** Installs Debian packages; `undefined` where that cannot be done (not root, no apt-get). */
  readonly aptInstall: ((packages: readonly string[]) => boolean) | undefined;
  readonly write: (text: string) => void;
}

/**
 * Installs the missing tools where it can, and returns whether every tool is now there; when one
 * is still missing it has written {@link installAdvice} first.
 */
export function ensureSystemTools({ tools, aptInstall, write }: EnsureDeps): boolean {
  const missing = missingTools(tools);
  if (missing.length > 0 && aptInstall !== undefined) {
    write(`Installing ${missing.map((tool) => tool.name).join(', ')} with apt-get (running as root)\n`);
    aptInstall(missing.map((tool) => tool.debianPackage));
  }
  const stillMissing = missingTools(tools);
  if (stillMissing.length > 0) write(`${installAdvice(stillMissing)}\n`);
  return stillMissing.length === 0;
}
