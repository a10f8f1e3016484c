import { describe, expect, it } from 'vitest';
import { ensureSystemTools, type SystemTool } from '../support/system-tools';

function tool(name: string, present: { value: boolean }): SystemTool {
  return {
    name,
    neededBy: `the ${name} tests`,
    debianPackage: `${name}-deb`,
    macos: `brew install ${name}`,
    installed: () => present.value,
  };
}

function run(tools: SystemTool[], aptInstall?: (packages: readonly string[]) => boolean) {
  let output = '';
  const installs: string[][] = [];
  const ready = ensureSystemTools({
    tools,
    aptInstall:
      aptInstall === undefined
        ? undefined
        : (packages) => {
            installs.push([...packages]);
            return aptInstall(packages);
          },
    write: (text) => {
      output += text;
    },
  });
  return { ready, output, installs };
}

describe('the test command’s system-tool check', () => {
  it('passes silently when every tool is installed', () => {
    const result = run([tool('shellcheck', { value: true })], () => true);

    expect(result).toEqual({ ready: true, output: '', installs: [] });
  });

  it('stops where it cannot install, naming each missing tool with its Debian and macOS install lines', () => {
    const result = run([tool('shellcheck', { value: false }), tool('chromium', { value: false })]);

    expect(result.ready).toBe(false);
    expect(result.output).toContain('- shellcheck: the shellcheck tests');
    expect(result.output).toContain('- chromium: the chromium tests');
    expect(result.output).toContain('Debian: sudo apt-get install -y shellcheck-deb chromium-deb');
    expect(result.output).toContain('macOS:  brew install shellcheck && brew install chromium');
  });

  it('installs only the missing tools with apt-get where it can, then passes', () => {
    const chromium = { value: false };
    const result = run([tool('shellcheck', { value: true }), tool('chromium', chromium)], () => {
      chromium.value = true;
      return true;
    });

    expect(result.ready).toBe(true);
    expect(result.installs).toEqual([['chromium-deb']]);
  });

  it('stops with the install lines when apt-get could not install a tool', () => {
    const result = run([tool('shellcheck', { value: false })], () => false);

    expect(result.ready).toBe(false);
    expect(result.output).toContain('Debian: sudo apt-get install -y shellcheck-deb');
  });
});
