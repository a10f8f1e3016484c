import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { main } from '../../cli/main';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t), env: {} },
  };
}

describe('spotlab --help', () => {
  it('lists every command with its one-line summary, and exits 0', async () => {
    const { out, io } = capture();

    expect(await main(['--help'], io)).toBe(0);
    const text = out.join('');
    for (const name of ['status', 'doctor', 'drain', 'resume', 'simulate', 'trace', 'webhook'])
      expect(text).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    expect(text).toContain('stop launching instances');
  });

  it('refuses an unknown command with the usage on stderr and exit code 2', async () => {
    const { err, io } = capture();

    expect(await main(['bogus'], io)).toBe(2);
    expect(err.join('')).toContain('unknown command "bogus"');
  });
});

describe('spotlab --version', () => {
  it.each(['--version', '-v'])('%s prints the version of package.json and exits 0', async (flag) => {
    const { out, io } = capture();
    const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

    expect(await main([flag], io)).toBe(0);
    expect(out.join('')).toBe(`${version}\n`);
  });
});

describe('spotlab webhook', () => {
  it('refuses a missing or unknown subcommand with its usage and exit code 2', async () => {
    const { err, io } = capture();

    expect(await main(['webhook'], io)).toBe(2);
    expect(await main(['webhook', 'remove'], io)).toBe(2);
    expect(err.join('')).toContain('unknown subcommand "remove"');
    expect(err.join('')).toContain('Usage: spotlab webhook <install|test>');
  });
});
