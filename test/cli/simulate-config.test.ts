import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulateCommand } from '../../cli/commands/simulate';
import { instancePrices } from '../../planner/instance-prices';
import { runCommand } from '../planner/cli-io';
import { shipped } from '../support/template';

const SMALL = 'test/fixtures/traces/small.csv';
const dir = mkdtempSync(join(tmpdir(), 'spotlab-simulate-config-'));

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

/** The shipped configuration with pools that take every job of the trace (`docker` ones too), 40 GiB disks. */
const CONFIG = file('spotlab.config.json', {
  ...shipped,
  pools: [
    { ...shipped.pools[0], tags: ['docker', 'arm64'], runUntagged: true, diskSizeGiB: 40 },
    { ...shipped.pools[1], tags: ['docker', 'x86_64'] },
  ],
});

const spotlabOf = (stdout: string) => {
  const line: unknown = JSON.parse(stdout.trimEnd().split('\n').at(-1) ?? '');
  const { scenarios } = line as { scenarios: Record<string, unknown>[] };
  return scenarios[0] ?? {};
};

describe('spotlab simulate --config', () => {
  it("replays through the configuration's pools and adds a cost breakdown, keeping every key", async () => {
    const plain = await runCommand(simulateCommand, ['--trace', SMALL, '--json']);
    const configured = await runCommand(simulateCommand, ['--trace', SMALL, '--json', '--config', CONFIG]);

    expect(configured.code).toBe(0);
    const spotlab = spotlabOf(configured.stdout);
    expect(Object.keys(spotlab)).toEqual([
      ...Object.keys(spotlabOf(plain.stdout)),
      'costBreakdownUSD',
      'unroutableJobs',
    ]);
    expect(spotlab).toMatchObject({ jobs: 8, leftovers: 0, unroutableJobs: 0 });
    const breakdown = spotlab.costBreakdownUSD as Record<string, number>;
    expect(breakdown.instances).toBeCloseTo(Number(spotlab.costUSD), 2);
    expect(breakdown.ebs).toBeGreaterThan(0);
    expect(breakdown.publicIpv4).toBeGreaterThan(0);
    expect(breakdown.total).toBeCloseTo(
      (breakdown.instances ?? 0) +
        (breakdown.ebs ?? 0) +
        (breakdown.publicIpv4 ?? 0) +
        (breakdown.controlPlane ?? 0),
      1,
    );
    expect(configured.stderr).toContain('prices: us-east-1 on-demand list prices of 2026-11');
  });

  it('counts the jobs no pool covers (the shipped pools take no `docker` job) and still replays them', async () => {
    const printed = await runCommand(simulateCommand, [
      '--trace',
      SMALL,
      '--json',
      '--config',
      'spotlab.config.json',
    ]);

    expect(printed.code).toBe(0);
    expect(spotlabOf(printed.stdout)).toMatchObject({ jobs: 8, leftovers: 0, unroutableJobs: 5 });
  });

  it('prices with a --prices file first, and warns of a Region the bundled table does not cover', async () => {
    const prices = file('prices.json', { date: '2026-12-01', usdPerHour: { 'm7g.large': 0.5 } });
    const cheap = await runCommand(simulateCommand, ['--trace', SMALL, '--json', '--config', CONFIG]);
    const dear = await runCommand(simulateCommand, [
      ...['--trace', SMALL, '--json', '--config', CONFIG],
      ...['--region', 'eu-west-1', '--prices', prices],
    ]);

    expect(Number(spotlabOf(dear.stdout).costUSD)).toBeGreaterThan(Number(spotlabOf(cheap.stdout).costUSD));
    expect(dear.stderr).toContain("us-east-1 list prices, not eu-west-1's");
    expect(dear.stderr).not.toMatch(/m7g\.large[,:]/);
  });

  it('refuses --region or --prices without --config, and a price file without a date', async () => {
    const undated = file('undated.json', { usdPerHour: { 'm7g.large': 0.1 } });

    expect((await runCommand(simulateCommand, ['--trace', SMALL, '--region', 'eu-west-1'])).code).toBe(2);
    const bad = await runCommand(simulateCommand, [
      '--trace',
      SMALL,
      '--config',
      CONFIG,
      '--prices',
      undated,
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--prices: date:');
  });
});

describe('Instance prices for a configured replay', () => {
  it('reads the file over the configuration over the bundled table, and names types in no table', () => {
    const prices = instancePrices('us-east-2', { usdPerHour: { 'c7g.large': 0.2 }, defaultUsdPerHour: 1 }, [
      'c7g.large',
      'x9z.large',
    ]);

    expect(prices.warnings).toEqual(['x9z.large: in no price table, priced at 1 USD/h']);
    expect(prices.list.usdPerHour['c7g.large']).toBe(0.2);
  });
});
