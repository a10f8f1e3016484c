import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSimulateCommand, simulateCommand } from '../../cli/commands/simulate';
import type { RunReport } from '../../report/model';
import { runCommand } from '../planner/cli-io';
import { fakeReplay } from '../planner/fake-replay';

const SMALL = 'test/fixtures/traces/small.csv';
const rendered: RunReport[] = [];
const command = createSimulateCommand({
  replay: async () => fakeReplay,
  render: async () => (report) => {
    rendered.push(report);
    return `<html>${report.title}</html>`;
  },
});

function lastLine(text: string): unknown {
  return JSON.parse(text.trimEnd().split('\n').at(-1) ?? '');
}

describe('spotlab simulate', () => {
  it('prints the scenarios side by side, then their summaries as one JSON line', async () => {
    const printed = await runCommand(command, ['--trace', SMALL, '--always-on', '1']);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toMatch(/^scenario\s+jobs\s+wait p50 s\s+wait p95 s/);
    // The fake replay waits the stock profile's launch → job running (54 s) for every job.
    expect(printed.stdout).toMatch(/\nSpotlab\s+8\s+54\s+54\s+8\s+0\s/);
    // Always-on runners and the idle pool keep machines on by design: not leftovers like Spotlab's.
    expect(printed.stdout).toMatch(/\n1 always-on runner .* 1 machine kept running \(by design\)\n/);
    expect(printed.stdout).toMatch(/\nautoscaler .* 5 machines kept running \(by design\)\n/);
    expect(lastLine(printed.stdout)).toEqual({
      scenarios: [
        expect.objectContaining({ name: 'Spotlab', jobs: 8, waitP95s: 54, leftovers: 0 }),
        expect.objectContaining({
          name: expect.stringMatching(/always-on runners? \(matches Spotlab p95\)$/),
        }),
        expect.objectContaining({ name: '1 always-on runner', jobs: 8 }),
        expect.objectContaining({
          name: 'autoscaler idle_count=5 idle_time=20m max_use_count=1 (on-demand)',
        }),
      ],
    });
  });

  it('replays each --image profile side by side and prints the stages of each', async () => {
    const printed = await runCommand(command, ['--trace', SMALL, '--image', 'stock,baked,warm']);

    expect(printed.code).toBe(0);
    expect(printed.stdout).toMatch(/\nSpotlab, baked start-up\s+8\s+22\.5\s+22\.5\s/);
    expect(printed.stdout).toMatch(/\nSpotlab, warm start-up\s+8\s+3\s+3\s/);
    expect(printed.stdout).toMatch(/\ntools\s+token read → tools ready\s+30\s+1\.5\s+0\n/);
    expect(printed.stdout).toMatch(/\ntotal\s+launch requested → job running\s+54\s+22\.5\s+3\n/);
  });

  it('refuses --image and --boot-seconds together, and an unknown image', async () => {
    const both = await runCommand(command, ['--trace', SMALL, '--image', 'baked', '--boot-seconds', '30']);
    const unknown = await runCommand(command, ['--trace', SMALL, '--image', 'golden']);

    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--image and --boot-seconds both set the start-up/);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--image: must be stock, baked or warm/);
  });

  it('prints only the JSON line with --json, and the same figures for the same seed', async () => {
    const args = ['--trace', SMALL, '--json', '--seed', '9', '--autoscaler-pricing', 'spot'];
    const first = await runCommand(command, args);
    const again = await runCommand(command, args);
    expect(first.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(again.stdout).toBe(first.stdout);
  });

  it('writes the HTML report with the shared renderer when --out is given', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'spotlab-simulate-')), 'report.html');
    const printed = await runCommand(command, [
      '--trace',
      SMALL,
      '--out',
      out,
      '--idle-count',
      '1',
      '--idle-time',
      '5m',
    ]);
    expect(printed.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('<html>spotlab simulate: small.csv</html>');
    expect(rendered.at(-1)?.parameters).toMatchObject({ idleCount: 1, idleTimeSeconds: 300 });
    expect(printed.stdout).toContain(`HTML report: ${out}`);
  });

  it('refuses a trace with bad rows: exit 2, each row named with its reason', async () => {
    const printed = await runCommand(command, ['--trace', 'test/fixtures/traces/bad-rows.csv']);
    expect(printed.code).toBe(2);
    expect(printed.stderr).toContain('row 3: duration_s is missing');
    expect(printed.stderr).toContain('row 8: has 5 fields, the header has 6');
    expect(printed.stdout).toBe('');
  });

  it.each([
    [[], '--trace: a trace file is required'],
    [['--trace', SMALL, '--spot-discount', '1.5'], '--spot-discount: must be a number from 0 to 1'],
    [['--trace', SMALL, '--idle-time', 'soon'], '--idle-time: must be a duration such as 90s, 30m or 1h'],
    [['--trace', SMALL, '--always-on', '0'], '--always-on: must be an integer from 1 to 100000'],
    [['--trace', SMALL, '--frobnicate'], "Unknown option '--frobnicate'"],
  ])('exits 2 on a usage error: %j', async (args, message) => {
    const printed = await runCommand(command, args);
    expect(printed.code).toBe(2);
    expect(printed.stderr).toContain(message);
  });

  it('exits 2 when the trace file cannot be read', async () => {
    const printed = await runCommand(command, ['--trace', 'test/fixtures/traces/missing.csv']);
    expect(printed).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('cannot read test/fixtures/traces/missing.csv (ENOENT)'),
    });
  });

  it('reads a JSON trace by its extension', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'spotlab-simulate-')), 'trace.json');
    writeFileSync(file, JSON.stringify([{ created_at: '2026-03-02T09:00:00Z', duration_s: 60, project: 1 }]));
    const printed = await runCommand(command, ['--trace', file, '--json']);
    expect(lastLine(printed.stdout)).toMatchObject({ scenarios: [{ name: 'Spotlab', jobs: 1 }, {}, {}] });
  });

  it("replays the bundled sample through Spotlab's real code, deterministically for a seed", async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'spotlab-simulate-')), 'report.html');
    const args = ['--trace', 'planner/samples/sample-trace.csv', '--json', '--seed', '3', '--out', out];
    const first = await runCommand(simulateCommand, args);
    expect(first.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('always-on runners (matches Spotlab p95)');
    const summary = lastLine(first.stdout);
    expect(summary).toMatchObject({ scenarios: [{ name: 'Spotlab', jobs: 194, leftovers: 0 }, {}, {}] });
    expect((await runCommand(simulateCommand, args)).stdout).toBe(first.stdout);
  });
});
