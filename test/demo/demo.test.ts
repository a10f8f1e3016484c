import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demo } from '../../demo/main';
import { runDemo } from '../../demo/run-demo';
import { demoScenario } from '../../demo/scenario';

// A few pipelines keep these fast; the bundled burst runs once, through the command.
const small = (seed: number) => demoScenario({ seed, pipelines: 6, spreadMinutes: 5 });

describe('the demo world', () => {
  it('is deterministic: the same seed gives the same report twice', async () => {
    const first = await runDemo(small(7));
    const second = await runDemo(small(7));

    expect(second).toEqual(first);
    expect((await runDemo(small(8))).result.summary).not.toEqual(first.result.summary);
  });

  it('runs every job once and leaves no instance, runner or token behind', async () => {
    const { result } = await runDemo(small(7));

    expect(result.summary.leftovers).toBe(0);
    expect(result.facts).toMatchObject({ 'jobs succeeded': result.summary.jobs, 'jobs failed': 0 });
    expect(result.waitsSeconds.length).toBeGreaterThanOrEqual(result.summary.jobs);
  });

  it('samples pending jobs and running instances every 30 simulated seconds, ending at zero', async () => {
    const { result } = await runDemo(small(7));
    const steps = result.timeline.slice(1).map((point, i) => point.atMs - (result.timeline[i]?.atMs ?? 0));

    expect(new Set(steps)).toEqual(new Set([30_000]));
    expect(Math.max(...result.timeline.map((p) => p.runningInstances))).toBeGreaterThan(0);
    expect(result.timeline.at(-1)).toMatchObject({ pendingJobs: 0, runningInstances: 0 });
  });
});

describe('npm run demo', () => {
  let dir: string;
  const out: string[] = [];
  const err: string[] = [];
  let code: number;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'spotlab-demo-'));
    code = await demo(['--out', 'report.html'], {
      cwd: dir,
      stdout: (text) => void out.push(text),
      stderr: (text) => void err.push(text),
    });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const lines = () => out.join('').trimEnd().split('\n');

  it('ends with the summary as one JSON object with exactly the report keys, nothing left behind', () => {
    const summary = JSON.parse(lines().at(-1) ?? '');

    expect(Object.keys(summary)).toEqual([
      'jobs',
      'waitP50s',
      'waitP95s',
      'instancesLaunched',
      'instanceMinutes',
      'costUSD',
      'leftovers',
    ]);
    expect(summary.jobs).toBeGreaterThanOrEqual(200);
    expect(summary.leftovers).toBe(0);
    expect(code).toBe(0);
    expect(err).toEqual([]);
  });

  it('shows progress, spot interruptions and the capacity error that sent arm64 on demand', () => {
    const summary = JSON.parse(lines().at(-1) ?? '');

    expect(
      lines().filter((line) => /^t\+\d\d:\d\d {2}pending +\d+ {2}running +\d+ {2}launched +\d+$/.test(line))
        .length,
    ).toBeGreaterThan(10);
    expect(out.join('')).toMatch(/capacity errors {5}1\n/);
    expect(out.join('')).toMatch(/spot interruptions +[1-9]/);
    expect(summary.instancesLaunched.onDemand).toBeGreaterThan(0);
  });

  it('writes the HTML report where --out says, relative to where it was run, and prints its path', async () => {
    const html = await readFile(join(dir, 'report.html'), 'utf8');

    expect(out.join('')).toContain(`Report: ${join(dir, 'report.html')}`);
    expect(html).toContain('id="chart-timeline-0"');
  });

  it('refuses an unknown flag with exit code 2 and the usage', async () => {
    const errors: string[] = [];

    const exit = await demo(['--outt', 'x.html'], {
      cwd: tmpdir(),
      stdout: () => undefined,
      stderr: (t) => void errors.push(t),
    });

    expect(exit).toBe(2);
    expect(errors.join('')).toContain('Usage: npm run demo');
  });
});
