import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulateCommand } from '../../cli/commands/simulate';
import { withOfflinePage } from '../../demo/offline-page';
import { runDemo } from '../../demo/run-demo';
import { DEMO_SEED, demoScenario } from '../../demo/scenario';
import { renderHtmlReport } from '../../report/html';
import { runCommand } from '../planner/cli-io';
import { chartGeometry, clippedLabels, layoutDefects, overlappingLabels, thinBars } from './geometry';
import { report, scenario } from './sample-report';

/** Runs `use` on a scratch folder, removed afterwards. */
async function inScratch<T>(use: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'spotlab-report-'));
  try {
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** What the side-by-side table and each scenario's tile say about what was left running. */
const LEFTOVERS = `({
  tiles: [...document.querySelectorAll('section.scenario')].map((s) => {
    const tile = [...s.querySelectorAll('.tile')].at(-1);
    return [tile.querySelector('.tile-label').textContent, tile.querySelector('.tile-value').textContent];
  }),
  row: [...document.querySelectorAll('#summary-table tr')].at(-1).textContent,
})`;

/** Every chart's id, its drawn marks, and the size of the smallest mark. */
const CHARTS = `[...document.querySelectorAll('svg.chart')].map((svg) => {
  const marks = [...svg.querySelectorAll('path.series, rect.bar')];
  const sizes = marks.map((m) => { const b = m.getBBox(); return Math.max(b.width, b.height); });
  const box = svg.getBoundingClientRect();
  return { id: svg.id, marks: marks.length, smallest: Math.min(...sizes), width: box.width, height: box.height };
})`;

// Needs the system's Chromium: `npm test` installs it or stops first (test/support/ensure-system-tools.ts);
// without it these tests fail with the install line, they are never skipped.
describe('the HTML report in headless Chromium, offline', () => {
  it('draws every chart with visible marks, with no console error and no request leaving the page', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'spotlab-report-'));
    try {
      const demo = await runDemo(demoScenario({ seed: 5, pipelines: 5, spreadMinutes: 5 }));
      const page = join(dir, 'report.html');
      await writeFile(page, renderHtmlReport(report(demo.result, scenario('4 always-on runners'))));

      const { charts, log } = await withOfflinePage(page, async (p, log) => ({
        charts:
          await p.evaluate<{ id: string; marks: number; smallest: number; width: number; height: number }[]>(
            CHARTS,
          ),
        log,
      }));

      expect(charts.map((c) => c.id)).toEqual(
        expect.arrayContaining([
          'chart-timeline-0',
          'chart-waits-0',
          'chart-cost-0',
          'chart-compare-cost',
          'chart-timeline-1',
        ]),
      );
      for (const chart of charts) {
        expect(chart.marks, chart.id).toBeGreaterThan(0);
        expect(chart.smallest, chart.id).toBeGreaterThan(0);
        expect(chart.width * chart.height, chart.id).toBeGreaterThan(0);
      }
      expect(log).toEqual({ requests: [], errors: [] });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("lays out the demo's report with no label over another or cut off, and a bar for even one job", async () => {
    const { report: demo } = await runDemo(demoScenario({ seed: DEMO_SEED }));
    const charts = await inScratch(async (dir) => {
      await writeFile(join(dir, 'report.html'), renderHtmlReport(demo));
      return withOfflinePage(join(dir, 'report.html'), (p) => chartGeometry(p));
    });

    expect(charts.length).toBeGreaterThanOrEqual(4);
    expect.soft(layoutDefects(charts)).toEqual([]);
    expect.soft(charts.find((c) => c.id === 'chart-waits-0')?.bars.some((b) => b.value === 1)).toBe(true);
  });

  it("compares simulate's scenarios on the same wait bins, with their leftovers named for what they are", async () => {
    const { charts, leftovers } = await inScratch(async (dir) => {
      const out = join(dir, 'report.html');
      const args = ['--trace', 'planner/samples/sample-trace.csv', '--json', '--out', out];
      expect((await runCommand(simulateCommand, args)).code).toBe(0);
      return withOfflinePage(out, async (p) => ({
        charts: await chartGeometry(p),
        leftovers: await p.evaluate<{ tiles: string[][]; row: string }>(LEFTOVERS),
      }));
    });

    expect.soft(layoutDefects(charts)).toEqual([]);
    const edges = charts.filter((c) => c.id.startsWith('chart-waits-')).map((c) => c.binEdges);
    expect(edges).toHaveLength(3);
    expect.soft(edges[0]).toMatch(/^0 \d+/);
    expect.soft(new Set(edges).size).toBe(1);
    expect.soft(leftovers.tiles).toEqual([
      ['Leftovers', '0'],
      // The stock start-up's 56 s p95 is matched by 6 always-on runners (7 under the flat 30 s boot).
      ['Machines kept running (by design)', '6'],
      ['Machines kept running (by design)', '5'],
    ]);
    expect
      .soft(leftovers.row)
      .toBe('Leftovers06 machines kept running (by design)5 machines kept running (by design)');
  });

  it('finds overlapping and cut-off labels and invisible bars (the layout checks above can fail)', async () => {
    const svg = [
      '<svg id="bad" class="chart chart-columns" viewBox="0 0 200 100" width="200" height="100" xmlns="http://www.w3.org/2000/svg">',
      '<text x="50" y="50">1 min 40 s</text><text x="60" y="50">2 min 30 s</text>',
      '<text x="-30" y="90" >ays-on runners</text>',
      '<rect class="bar" data-value="1" x="10" y="80" width="10" height="0.5"/>',
      '</svg>',
    ].join('');
    const [chart] = await inScratch(async (dir) => {
      await writeFile(join(dir, 'bad.html'), `<!doctype html><body style="margin:0">${svg}</body>`);
      return withOfflinePage(join(dir, 'bad.html'), (p) => chartGeometry(p));
    });
    if (chart === undefined) throw new Error('no chart found');

    expect(overlappingLabels(chart)).toEqual(['bad: "1 min 40 s" × "2 min 30 s"']);
    expect(clippedLabels(chart)).toEqual(['bad: "ays-on runners"']);
    expect(thinBars(chart)).toEqual(['bad: 1 (0.50 px)']);
  });

  it('notices a page that reaches for the network or logs an error (the check above can fail)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'spotlab-report-'));
    try {
      const page = join(dir, 'leaky.html');
      await writeFile(page, '<img src="https://example.com/x.png"><script>console.error("boom")</script>');

      const log = await withOfflinePage(page, async (_p, log) => log);

      expect(log.requests).toEqual(['https://example.com/x.png']);
      expect(log.errors).toContain('boom');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
