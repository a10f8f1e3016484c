import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withOfflinePage } from '../../demo/offline-page';
import { runDemo } from '../../demo/run-demo';
import { demoScenario } from '../../demo/scenario';
import { renderHtmlReport } from '../../report/html';
import { report, scenario } from './sample-report';

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
