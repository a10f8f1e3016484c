/**
 * Makes the docs' screenshot of the demo report: `npx tsx demo/screenshot.ts [out.png]` (default
 * docs/images/demo-report.png). Runs the demo's scenario, renders the report and photographs its
 * top (parameters, summary, timeline and wait charts) in headless Chromium, offline.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { renderHtmlReport } from '../report/html';
import { withOfflinePage } from './offline-page';
import { runDemo } from './run-demo';
import { DEMO_SEED, demoScenario } from './scenario';

const out = resolve(process.argv[2] ?? 'docs/images/demo-report.png');
const dir = await mkdtemp(join(tmpdir(), 'spotlab-report-'));
try {
  const { report } = await runDemo(demoScenario({ seed: DEMO_SEED }));
  const page = join(dir, 'report.html');
  await writeFile(page, renderHtmlReport(report));
  await withOfflinePage(page, (p) => p.screenshot({ path: out, fullPage: process.env.FULL_PAGE === '1' }), {
    width: 960,
    height: 1480,
  });
  process.stdout.write(`${out}\n`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
