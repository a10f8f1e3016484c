import { barChart } from './bar-chart';
import { escapeHtml } from './escape';
import { formatNumber, formatSeconds, formatUSD } from './format';
import type { RunReport, ScenarioResult } from './model';
import { scenarioSection, summaryRows } from './scenario-section';
import { startupSection } from './startup';
import { STYLE } from './style';
import { waitBins } from './wait-bins';

/**
 * Renders a run report as one self-contained HTML page: inline CSS, inline SVG charts, no script,
 * no font or image to fetch. A Content-Security-Policy of `default-src 'none'` makes the browser
 * refuse any request the page might still make, so it opens the same offline as online.
 */
export function renderHtmlReport(report: RunReport): string {
  const several = report.scenarios.length > 1;
  const bins = waitBins(report.scenarios.map((s) => s.waitsSeconds));
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(report.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<main>',
    `<header><h1>${escapeHtml(report.title)}</h1>`,
    `<p class="generated">Simulated run starting ${escapeHtml(report.generatedAt)}</p></header>`,
    parameters(report),
    startupSection(report),
    several ? comparison(report.scenarios) : '',
    ...report.scenarios.map((scenario, index) => scenarioSection(scenario, index, bins)),
    '<footer><p>Waits run from a job becoming pending to a runner taking it (each retry waits again). ',
    'Instances are billed from launch to termination, per second with a one-minute minimum; ',
    'spot at the stated discount off on-demand list prices. Leftovers are instances, runners and ',
    'token parameters still there after the run; always-on runners and an idle pool keep their ',
    'machines running by design, so theirs are counted as machines kept running, not as leftovers. ',
    'The wait histograms of all scenarios share one set of bins.</p></footer>',
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function parameters(report: RunReport): string {
  const rows = Object.entries(report.parameters).map(
    ([name, value]) => `<tr><th scope="row">${escapeHtml(name)}</th><td>${escapeHtml(value)}</td></tr>`,
  );
  return `<section id="parameters"><h2>Parameters</h2><table class="parameters">${rows.join('')}</table></section>`;
}

function comparison(scenarios: readonly ScenarioResult[]): string {
  const rows = scenarios.map((s) => summaryRows(s, 'cell'));
  // The first scenario's labels head the rows: renderHtmlReport compares two scenarios or more.
  const labels = (rows[0] ?? []).map(([label]) => label);
  const head = `<tr><th></th>${scenarios.map((s) => `<th scope="col">${escapeHtml(s.name)}</th>`).join('')}</tr>`;
  const columns = rows.map((r) => r.map(([, value]) => value));
  const body = labels.map(
    (label, row) =>
      `<tr><th scope="row">${escapeHtml(label)}</th>${columns.map((c) => `<td>${escapeHtml(c[row] ?? '')}</td>`).join('')}</tr>`,
  );
  const bars = (pick: (s: ScenarioResult) => number, format: (v: number) => string, className: string) =>
    scenarios.map((s) => ({
      label: s.name,
      value: pick(s),
      className,
      hover: `${s.name}: ${format(pick(s))}`,
    }));
  return [
    '<section id="comparison"><h2>Side by side</h2>',
    `<table id="summary-table" class="comparison"><thead>${head}</thead><tbody>${body.join('')}</tbody></table>`,
    '<h3>Estimated cost</h3>',
    barChart({
      id: 'chart-compare-cost',
      title: 'Estimated cost by scenario',
      bars: bars((s) => s.summary.costUSD, formatUSD, 'bar-cost'),
      format: formatUSD,
    }),
    '<h3>Wait, 95th percentile</h3>',
    barChart({
      id: 'chart-compare-wait',
      title: 'Wait p95 by scenario',
      bars: bars((s) => s.summary.waitP95s, formatSeconds, 'bar-wait'),
      format: formatSeconds,
    }),
    '<h3>Instance-minutes</h3>',
    barChart({
      id: 'chart-compare-minutes',
      title: 'Instance-minutes by scenario',
      bars: bars(
        (s) => s.summary.instanceMinutes,
        (v) => formatNumber(v, 1),
        'bar-minutes',
      ),
      format: (v) => formatNumber(v, 1),
    }),
    '</section>',
  ].join('\n');
}
