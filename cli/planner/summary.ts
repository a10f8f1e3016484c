import { leftoversCell } from '../../report/leftovers';
import type { RunReport } from '../../report/model';
import { startupRows } from '../../report/startup';
import { formatTable } from '../table';

/**
 * The scenarios side by side, one row each, as `spotlab simulate` prints them. The leftovers of
 * always-on runners and an idle pool read `7 machines kept running (by design)`, as in the report.
 */
export function summaryTable(report: RunReport): string {
  return formatTable(
    [
      'scenario',
      'jobs',
      'wait p50 s',
      'wait p95 s',
      'spot',
      'on-demand',
      'instance-min',
      'cost USD',
      'leftovers',
    ],
    report.scenarios.map((scenario) => [
      scenario.name,
      scenario.summary.jobs,
      scenario.summary.waitP50s,
      scenario.summary.waitP95s,
      scenario.summary.instancesLaunched.spot,
      scenario.summary.instancesLaunched.onDemand,
      scenario.summary.instanceMinutes,
      scenario.summary.costUSD,
      leftoversCell(scenario),
    ]),
  );
}

/** The modelled start-up stages, one column per profile; empty when the report has none. */
export function startupTable(report: RunReport): string {
  const { head, rows } = startupRows(report);
  return rows.length === 0
    ? ''
    : `\nStart-up, modelled (p50 s per stage; docs/startup.md):\n${formatTable(head, rows)}`;
}

/** The report's summaries as one JSON line: `{"scenarios":[{"name":…,"jobs":…,…},…]}`. */
export function summaryJson(report: RunReport): string {
  const scenarios = report.scenarios.map(({ name, summary }) => ({ name, ...summary }));
  return `${JSON.stringify({ scenarios })}\n`;
}
