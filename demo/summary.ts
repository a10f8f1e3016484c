import { formatElapsed, formatNumber, formatSeconds, formatUSD } from '../report/format';
import type { RunSummary, ScenarioResult } from '../report/model';
import type { Sample } from '../sim/world/measure';

/** One progress line: `t+04:00  pending  37  running  22  launched  41`. */
export function progressLine(sample: Sample): string {
  const pad = (v: number) => String(v).padStart(4);
  return `${formatElapsed(sample.atMs)}  pending ${pad(sample.pendingJobs)}  running ${pad(sample.runningInstances)}  launched ${pad(sample.launched)}`;
}

/** The human summary the demo prints before its JSON line. */
export function humanSummary(result: ScenarioResult): string {
  const s = result.summary;
  const facts = result.facts ?? {};
  const split = result.costSplitUSD;
  const rows: [string, string][] = [
    [
      'jobs run',
      `${formatNumber(s.jobs, 0)} (${facts['jobs succeeded'] ?? '?'} succeeded, ${facts['jobs failed'] ?? '?'} failed)`,
    ],
    [
      'spot interruptions',
      `${facts['spot interruptions'] ?? 0} (jobs retried: ${facts['jobs retried'] ?? 0})`,
    ],
    ['capacity errors', String(facts['capacity errors'] ?? 0)],
    ['wait p50 / p95', `${formatSeconds(s.waitP50s)} / ${formatSeconds(s.waitP95s)}`],
    ['instances launched', `${s.instancesLaunched.spot} spot, ${s.instancesLaunched.onDemand} on-demand`],
    ['instance-minutes', formatNumber(s.instanceMinutes, 1)],
    [
      'estimated cost',
      split
        ? `${formatUSD(s.costUSD)} (spot ${formatUSD(split.spot)}, on-demand ${formatUSD(split.onDemand)})`
        : formatUSD(s.costUSD),
    ],
    ['leftovers', `${s.leftovers} (instances, runners and tokens left behind)`],
  ];
  return rows.map(([label, value]) => `  ${label.padEnd(20)}${value}`).join('\n');
}

/** The summary as one JSON object with exactly the report model's keys, in their order. */
export function summaryJson(s: RunSummary): string {
  const { jobs, waitP50s, waitP95s, instanceMinutes, costUSD, leftovers } = s;
  const instancesLaunched = { spot: s.instancesLaunched.spot, onDemand: s.instancesLaunched.onDemand };
  return JSON.stringify({ jobs, waitP50s, waitP95s, instancesLaunched, instanceMinutes, costUSD, leftovers });
}
