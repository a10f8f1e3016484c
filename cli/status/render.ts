import { formatDuration, formatPairs, formatTable } from '../table';
import type { StatusReport } from './report';

const usd = (amount: number) => `$${amount.toFixed(2)}`;
const orUnknown = (value: number | null) => (value === null ? '?' : value);
/**
 * EC2 refills the account's instance-launch bucket at 2 instances a second once its burst of
 * 1,000 is spent: the backlog's drain time in the worst case (docs/scale.md).
 */
const LAUNCHES_PER_SECOND = 2;
const backlog = (depth: { waiting: number; delayed: number; inFlight: number }) =>
  depth.waiting + depth.delayed + depth.inFlight;

/** The warm-capacity line, beside the idle figure; none for a configuration without warm capacity. */
function warmLine(usdPerMonth: number | undefined): [string, string][] {
  if (usdPerMonth === undefined) return [];
  return [
    ['Warm capacity', `≈ ${usd(usdPerMonth)}/month for the scheduled ready instances (spot, docs/cost.md)`],
  ];
}

/** The human-readable `status`: a summary, then pools, instances and runners as tables. */
export function renderStatus(report: StatusReport): string {
  const q = report.queues;
  const summary = formatPairs([
    ['Stack', `${report.stack.name} (${report.stack.status})`],
    ['Launching', report.launching],
    ['Instances', `${report.totals.running} of ${report.totals.maxInstances}`],
    [
      'Spend now',
      `${usd(report.spend.usdPerHour)}/h of ${usd(report.spend.capUsdPerHour)}/h cap (on-demand rates)`,
    ],
    [
      'Idle cost',
      `≈ ${usd(report.spend.idleUsdPerMonth)}/month with no job running (list prices, docs/cost.md)`,
    ],
    ...warmLine(report.spend.warmUsdPerMonth),
    [
      'Jobs waiting',
      q.demand === null
        ? '?'
        : `${q.demand.waiting + q.demand.delayed} queued, ${q.demand.inFlight} being launched or retried; ` +
          `drains in ≤ ${formatDuration(backlog(q.demand) / LAUNCHES_PER_SECOND)} at ${LAUNCHES_PER_SECOND} launches/s`,
    ],
    [
      'Dead letters',
      `demand ${orUnknown(q.demandDeadLetters)}, lifecycle ${orUnknown(q.lifecycleDeadLetters)}`,
    ],
  ]);
  const pools = formatTable(
    ['POOL', 'RUNNING', 'MAX'],
    report.pools.map((p) => [p.name, p.running, p.maxInstances]),
  );
  const instances = formatTable(
    ['INSTANCE', 'POOL', 'TYPE', 'STATE', 'LIFECYCLE', 'AGE', 'JOB'],
    report.instances.map((i) => [
      i.instanceId,
      i.pool,
      i.instanceType,
      i.state,
      i.lifecycle,
      formatDuration(i.ageSeconds),
      i.jobId === null
        ? '-'
        : `${i.jobId} ${i.jobState ?? ''}${i.jobSource === 'tag' ? ' (tag)' : ''}`.trim(),
    ]),
    '(no instance)',
  );
  const runners =
    report.runners === null
      ? '(could not be read)\n'
      : formatTable(
          ['RUNNER', 'JOB', 'INSTANCE', 'STATUS', 'INSTANCE LIVE'],
          report.runners.list.map((r) => [
            r.id,
            r.jobId,
            r.instanceId ?? '-',
            r.paused ? `${r.status}, paused` : r.status,
            r.instanceLive ? 'yes' : 'no',
          ]),
          '(no Spotlab runner)',
        );
  const lines = [...report.problems.map((p) => `problem: ${p}`), ...report.notes.map((n) => `note: ${n}`)];
  return [
    summary,
    `Pools\n${pools}`,
    `Instances\n${instances}`,
    `GitLab runners\n${runners}`,
    ...(lines.length > 0 ? [`${lines.join('\n')}\n`] : []),
  ].join('\n');
}
