import { barChart } from './bar-chart';
import { histogram, lineChart } from './charts';
import { escapeHtml } from './escape';
import { formatDurationTick, formatNumber, formatSeconds, formatUSD } from './format';
import { leftoversCell, leftoversLabel } from './leftovers';
import type { ScenarioResult } from './model';
import { binCounts, type WaitBins } from './wait-bins';

/**
 * The summary's figures as label/value rows, in the order the demo prints them. The last row is
 * named for what the scenario left running: as a tile it takes its own label (`Leftovers`, or
 * `Machines kept running (by design)`); as a cell of the side-by-side table, whose rows all
 * scenarios share, it is `Leftovers` and the cell says which kind.
 */
export function summaryRows(result: ScenarioResult, as: 'tile' | 'cell' = 'tile'): [string, string][] {
  const s = result.summary;
  return [
    ['Jobs', formatNumber(s.jobs, 0)],
    ['Wait p50', formatSeconds(s.waitP50s)],
    ['Wait p95', formatSeconds(s.waitP95s)],
    [
      'Instances launched',
      `${formatNumber(s.instancesLaunched.spot, 0)} spot, ${formatNumber(s.instancesLaunched.onDemand, 0)} on-demand`,
    ],
    ['Instance-minutes', formatNumber(s.instanceMinutes, 1)],
    ['Estimated cost', formatUSD(s.costUSD)],
    as === 'tile'
      ? [leftoversLabel(result), formatNumber(s.leftovers, 0)]
      : ['Leftovers', leftoversCell(result)],
  ];
}

/**
 * One scenario: its figures, then its timeline, wait distribution and cost charts. `bins` are the
 * wait histogram's, shared by every scenario of the report so their histograms compare.
 */
export function scenarioSection(result: ScenarioResult, index: number, bins: WaitBins): string {
  const tiles = summaryRows(result).map(
    ([k, v]) =>
      `<div class="tile"><div class="tile-label">${escapeHtml(k)}</div><div class="tile-value">${escapeHtml(v)}</div></div>`,
  );
  const facts = Object.entries(result.facts ?? {}).map(
    ([k, v]) =>
      `<li>${escapeHtml(k)}: <b>${escapeHtml(typeof v === 'number' ? formatNumber(v, 1) : v)}</b></li>`,
  );
  return [
    `<section class="scenario" id="scenario-${index}">`,
    `<h2>${escapeHtml(result.name)}</h2>`,
    `<div class="tiles">${tiles.join('')}</div>`,
    facts.length > 0 ? `<ul class="facts">${facts.join('')}</ul>` : '',
    '<h3>Pending jobs and running instances</h3>',
    timeline(result, index),
    '<ul class="legend"><li><span class="swatch series-pending"></span>pending jobs</li><li><span class="swatch series-running"></span>running instances</li></ul>',
    '<h3>How long jobs waited for a runner</h3>',
    waits(result, index, bins),
    '<h3>Cost</h3>',
    cost(result, index),
    '</section>',
  ].join('\n');
}

function timeline(result: ScenarioResult, index: number): string {
  const minutes = (ms: number) => ms / 60_000;
  return lineChart({
    id: `chart-timeline-${index}`,
    title: `${result.name}: pending jobs and running instances over time`,
    xLabel: 'minutes since the first job',
    yLabel: 'count',
    formatY: (v) => formatNumber(v, 0),
    series: [
      {
        name: 'pending jobs',
        className: 'series-pending',
        points: result.timeline.map((p) => [minutes(p.atMs), p.pendingJobs]),
      },
      {
        name: 'running instances',
        className: 'series-running',
        points: result.timeline.map((p) => [minutes(p.atMs), p.runningInstances]),
      },
    ],
  });
}

function waits(result: ScenarioResult, index: number, bins: WaitBins): string {
  if (result.waitsSeconds.length === 0) return '<p class="empty">No job was taken by a runner.</p>';
  const counts = binCounts(result.waitsSeconds, bins);
  const edge = (i: number) => i * bins.widthS;
  return histogram({
    id: `chart-waits-${index}`,
    title: `${result.name}: jobs by wait`,
    xLabel: `wait (bins of ${formatDurationTick(bins.widthS)})`,
    yLabel: 'jobs',
    formatY: (v) => formatNumber(v, 0),
    bins: {
      edges: Array.from({ length: bins.count + 1 }, (_, i) => edge(i)),
      counts,
      formatEdge: formatDurationTick,
      className: 'bar-wait',
      hover: (i) =>
        `${counts[i] ?? 0} jobs waited ${formatSeconds(edge(i))} to ${formatSeconds(edge(i + 1))}`,
    },
  });
}

function cost(result: ScenarioResult, index: number): string {
  const parts: string[] = [];
  const points = result.timeline.flatMap((p) =>
    p.costUSD === undefined ? [] : [[p.atMs / 60_000, p.costUSD] as const],
  );
  if (points.length > 1)
    parts.push(
      lineChart({
        id: `chart-cost-${index}`,
        title: `${result.name}: spend on instances so far`,
        xLabel: 'minutes since the first job',
        yLabel: 'USD',
        formatY: (v) => formatUSD(v),
        series: [{ name: 'USD spent so far', className: 'series-cost', points }],
      }),
    );
  const split = result.costSplitUSD;
  const bars = split
    ? [
        { label: 'spot instances', value: split.spot, className: 'bar-spot', hover: formatUSD(split.spot) },
        {
          label: 'on-demand instances',
          value: split.onDemand,
          className: 'bar-on-demand',
          hover: formatUSD(split.onDemand),
        },
      ]
    : [
        {
          label: 'total',
          value: result.summary.costUSD,
          className: 'bar-cost',
          hover: formatUSD(result.summary.costUSD),
        },
      ];
  parts.push(
    barChart({
      id: `chart-cost-split-${index}`,
      title: `${result.name}: cost by purchase option`,
      bars,
      format: formatUSD,
    }),
  );
  return parts.join('\n');
}
