import {
  axesSvg,
  axisTitlesSvg,
  CHART_H,
  CHART_W,
  labelsFit,
  leftMargin,
  n,
  niceStep,
  plotArea,
  xTickSvg,
  yAxisSvg,
  yScale,
} from './axis';
import { escapeHtml } from './escape';
import { formatNumber } from './format';

/**
 * The report's charts with axes as inline SVG strings, drawn here so the page needs no script and
 * no network. Each chart is an `<svg class="chart ...">` with the given id; its data marks are
 * `<path class="series ...">` and `<rect class="bar ...">`, which the report test looks for.
 */

/** One line of a line chart: `[x, y]` points in data units, x increasing. */
export interface Series {
  readonly name: string;
  /** CSS class of its path and legend swatch (colour). */
  readonly className: string;
  readonly points: readonly (readonly [number, number])[];
}

/** What every chart states. */
export interface ChartSpec {
  readonly id: string;
  /** Read by screen readers (`aria-label`) and shown on hover. */
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
}

// A non-zero count drawn smaller than this would vanish next to a tall neighbour: one job must show.
const MIN_BAR_PX = 2;

function frame(spec: ChartSpec, kind: string, body: string, data = ''): string {
  return [
    `<svg id="${escapeHtml(spec.id)}" class="chart ${kind}" viewBox="0 0 ${CHART_W} ${CHART_H}" role="img"`,
    ` aria-label="${escapeHtml(spec.title)}"${data} xmlns="http://www.w3.org/2000/svg">`,
    `<title>${escapeHtml(spec.title)}</title>`,
    body,
    '</svg>',
  ].join('');
}

/** The fewest-ticks-first search for a round x step whose labels leave each other room. */
function xTicks(maxX: number, format: (v: number) => string, left: number) {
  for (let wanted = 10; ; wanted -= 1) {
    const step = niceStep(maxX, Math.max(1, wanted));
    const top = Math.max(step, Math.ceil(maxX / step) * step);
    const values: number[] = [];
    for (let i = 0; i * step <= top + step / 2; i += 1) values.push(i * step);
    const labels = values.map(format);
    const plot = plotArea(left, labels.at(-1) ?? '');
    if (wanted <= 1 || labelsFit(labels, (step / top) * plot.width)) return { top, values, labels, plot };
  }
}

/** A line chart of one or more series sharing both axes (y from 0). */
export function lineChart(
  spec: ChartSpec & { readonly series: readonly Series[]; formatY?: (v: number) => string },
): string {
  // A loop, not Math.max(...points): a long run's timeline has more points than a call's arguments.
  let maxX = 0;
  let maxY = 0;
  for (const s of spec.series)
    for (const [px, py] of s.points) {
      maxX = Math.max(maxX, px);
      maxY = Math.max(maxY, py);
    }
  const y = yScale(maxY, spec.formatY ?? ((v) => formatNumber(v, 2)));
  const x = xTicks(maxX, (v) => formatNumber(v, 1), leftMargin(y));
  const { plot } = x;
  const px = (v: number) => plot.left + (v / x.top) * plot.width;
  const py = (v: number) => plot.top + plot.height - (v / y.top) * plot.height;
  const ticks = x.values.map((v, i) => xTickSvg(px(v), x.labels[i] ?? '', plot));
  const paths = spec.series.map((s) => {
    const d = downsample(s.points)
      .map(([at, v], i) => `${i === 0 ? 'M' : 'L'}${n(px(at))} ${n(py(v))}`)
      .join(' ');
    return `<path class="series ${escapeHtml(s.className)}" d="${d}"><title>${escapeHtml(s.name)}</title></path>`;
  });
  const body = [
    yAxisSvg(y, plot),
    ticks.join(''),
    axesSvg(plot),
    ...paths,
    axisTitlesSvg(spec.xLabel, spec.yLabel, plot),
  ];
  return frame(spec, 'chart-line', body.join(''));
}

/**
 * The chart is a few hundred pixels wide: a series longer than this is drawn from the lowest and
 * highest point of each of `MAX_POINTS / 2` equal runs of it, so the file stays small however long
 * the simulated run and every peak still shows.
 */
export const MAX_POINTS = 2000;

/** `points` itself when short enough; else each run's low and high, in x order. */
export function downsample(
  points: readonly (readonly [number, number])[],
): readonly (readonly [number, number])[] {
  if (points.length <= MAX_POINTS) return points;
  const runs = MAX_POINTS / 2;
  const kept: (readonly [number, number])[] = [];
  for (let r = 0; r < runs; r += 1) {
    const run = points.slice(
      Math.floor((r * points.length) / runs),
      Math.floor(((r + 1) * points.length) / runs),
    );
    let low = run[0];
    let high = run[0];
    for (const p of run) {
      if (low === undefined || p[1] < low[1]) low = p;
      if (high === undefined || p[1] > high[1]) high = p;
    }
    if (low === undefined || high === undefined) continue;
    kept.push(...(low === high ? [low] : low[0] < high[0] ? [low, high] : [high, low]));
  }
  return kept;
}

/** A histogram's bins: `edges` has one value more than `counts`; bin i is `[edges[i], edges[i+1])`. */
export interface Bins {
  readonly edges: readonly number[];
  readonly counts: readonly number[];
  /** An edge as its tick label says it. */
  readonly formatEdge: (edge: number) => string;
  /** What hovering bin i says. */
  readonly hover: (i: number) => string;
  /** CSS class of the bars (colour). */
  readonly className: string;
}

// Label every k-th edge, k from this list (then multiples of 10): steps people count in.
const LABEL_EVERY = [1, 2, 3, 5, 6, 10, 12, 15, 20, 30];

/**
 * Bars side by side over equal bins, labelled at the bins' edges, thinned until the labels have
 * room. The edges are stated in `data-bin-edges` so charts meant to be compared can be checked to
 * share them. Empty bins draw nothing; a non-empty one is at least {@link MIN_BAR_PX} tall.
 */
export function histogram(
  spec: ChartSpec & { readonly bins: Bins; formatY?: (v: number) => string },
): string {
  const { edges, counts, formatEdge } = spec.bins;
  const y = yScale(Math.max(0, ...counts), spec.formatY ?? ((v) => formatNumber(v, 1)));
  const labels = edges.map(formatEdge);
  const plot = plotArea(leftMargin(y), labels.at(-1) ?? '');
  const band = plot.width / Math.max(1, counts.length);
  const every =
    [...LABEL_EVERY, ...Array.from({ length: edges.length }, (_, i) => (i + 4) * 10)].find((k) =>
      labelsFit(
        labels.filter((_, i) => i % k === 0),
        k * band,
      ),
    ) ?? edges.length;
  const ticks = labels.map((label, i) =>
    i % every === 0 ? xTickSvg(plot.left + i * band, label, plot) : '',
  );
  const bars = counts.map((count, i) => {
    if (!(count > 0)) return '';
    const h = Math.max(MIN_BAR_PX, (count / y.top) * plot.height);
    const x = plot.left + i * band;
    return `<rect class="bar ${escapeHtml(spec.bins.className)}" data-value="${count}" x="${n(x + band * 0.1)}" y="${n(plot.top + plot.height - h)}" width="${n(band * 0.8)}" height="${n(h)}"><title>${escapeHtml(spec.bins.hover(i))}</title></rect>`;
  });
  const body = [
    yAxisSvg(y, plot),
    axesSvg(plot),
    ...bars,
    ticks.join(''),
    axisTitlesSvg(spec.xLabel, spec.yLabel, plot),
  ];
  return frame(spec, 'chart-columns', body.join(''), ` data-bin-edges="${edges.join(' ')}"`);
}
