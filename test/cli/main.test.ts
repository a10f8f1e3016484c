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
    for (const name of ['status', 'doctor', 'drain', 'resume', 'simulate', 'trace'])
      expect(text).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    expect(text).toContain('stop launching instances');
  });

  it('refuses an unknown command with the usage on stderr and exit code 2', async () => {
    const { err, io } = capture();

    expect(await main(['bogus'], io)).toBe(2);
    expect(err.join('')).toContain('unknown command "bogus"');
  });
});
