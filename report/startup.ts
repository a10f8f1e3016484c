import { escapeHtml } from './escape';
import { formatNumber } from './format';
import type { RunReport, StartupBreakdown } from './model';

/** One column of the stage table: a scenario's profile (and the pools using it). */
interface Column {
  readonly label: string;
  readonly breakdown: StartupBreakdown;
}

/** Every start-up profile the report's scenarios ran with, each once, in scenario order. */
export function startupColumns(report: RunReport): Column[] {
  const columns: Column[] = [];
  for (const scenario of report.scenarios)
    for (const breakdown of scenario.startup ?? []) {
      const pools = breakdown.pools === undefined ? '' : ` (${breakdown.pools.join(', ')})`;
      const label = `${breakdown.profile}${pools}`;
      if (!columns.some((c) => c.label === label)) columns.push({ label, breakdown });
    }
  return columns;
}

/**
 * The stage table as rows: one per stage, one column per profile, then the total. Empty when no
 * scenario carries a start-up model.
 */
export function startupRows(report: RunReport): { head: string[]; rows: (string | number)[][] } {
  const columns = startupColumns(report);
  const first = columns[0];
  if (first === undefined) return { head: [], rows: [] };
  const rows = first.breakdown.stages.map((stage, i) => [
    stage.stage,
    stage.span,
    ...columns.map((c) => c.breakdown.stages[i]?.seconds ?? 0),
  ]);
  rows.push(['total', 'launch requested → job running', ...columns.map((c) => c.breakdown.totalSeconds)]);
  return { head: ['stage', 'span', ...columns.map((c) => `${c.label} s`)], rows };
}

/** The HTML section of the modelled start-up stages; empty when no scenario has them. */
export function startupSection(report: RunReport): string {
  const { head, rows } = startupRows(report);
  if (rows.length === 0) return '';
  const th = head.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('');
  const body = rows.map(
    ([stage, span, ...seconds]) =>
      `<tr><th scope="row">${escapeHtml(String(stage))}</th><td>${escapeHtml(String(span))}</td>${seconds
        .map((s) => `<td>${escapeHtml(typeof s === 'number' ? formatNumber(s, 1) : s)}</td>`)
        .join('')}</tr>`,
  );
  return [
    '<section id="startup"><h2>Start-up, modelled (p50 seconds per stage)</h2>',
    `<table class="parameters"><tr>${th}</tr>${body.join('')}</table>`,
    '<p>Stages as the runner VMs report them (<code>Spotlab/Startup</code>); the sources of each ',
    'default are in docs/startup.md. A job also waits for the webhook and scale-up before the launch.</p>',
    '</section>',
  ].join('');
}
