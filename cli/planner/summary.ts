import type { RunReport } from '../../report/model';
import { formatTable } from '../table';

/** The scenarios side by side, one row each, as `spotlab simulate` prints them. */
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
    report.scenarios.map(({ name, summary }) => [
      name,
      summary.jobs,
      summary.waitP50s,
      summary.waitP95s,
      summary.instancesLaunched.spot,
      summary.instancesLaunched.onDemand,
      summary.instanceMinutes,
      summary.costUSD,
      summary.leftovers,
    ]),
  );
}

/** The report's summaries as one JSON line: `{"scenarios":[{"name":…,"jobs":…,…},…]}`. */
export function summaryJson(report: RunReport): string {
  const scenarios = report.scenarios.map(({ name, summary }) => ({ name, ...summary }));
  return `${JSON.stringify({ scenarios })}\n`;
}
