import { escapeHtml } from './escape';
import { textWidth } from './text';

/**
 * The plot area of a chart and its axes' ticks, laid out so that no tick label runs into another
 * or out of the chart: margins grow to hold the widest label, and ticks thin out until each label
 * has room. Units are the chart's viewBox units, in which the stylesheet's font sizes hold too
 * (the SVG scales as a whole).
 */

/** Width and height of every chart with axes (the viewBox). */
export const CHART_W = 720;
export const CHART_H = 260;
/** Font size of tick and axis labels (report/style.ts). */
export const TICK_PX = 12;
const TOP = 14;
const BOTTOM = 46;
// The rotated y-axis title sits in this band at the left edge.
const Y_TITLE_BAND = 24;
// Space between two neighbouring x tick labels, and between a y tick label and the axis.
const GAP = 10;
const TICK_OFFSET = 6;

/** The plot area inside a chart, in viewBox units. */
export interface Plot {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/** A step that puts about `ticks` round numbers (1, 2, 5 × 10ⁿ) on an axis from 0 to `max`. */
export function niceStep(max: number, ticks = 5): number {
  if (!(max > 0)) return 1;
  const raw = max / ticks;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / magnitude;
  return (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * magnitude;
}

/** Rounds a coordinate for the markup. */
export const n = (v: number): string => String(Math.round(v * 10) / 10);

/** The y scale from 0: its round top value and tick values. */
export interface YScale {
  readonly top: number;
  readonly ticks: readonly number[];
  readonly labels: readonly string[];
}

/** About five round ticks from 0 to at least `max`. */
export function yScale(max: number, format: (v: number) => string): YScale {
  const step = niceStep(max);
  const top = Math.max(step, Math.ceil(max / step) * step);
  const ticks: number[] = [];
  for (let i = 0; i * step <= top + step / 2; i += 1) ticks.push(i * step);
  return { top, ticks, labels: ticks.map(format) };
}

/** The left margin that holds the y-axis title and the widest y tick label. */
export function leftMargin(y: YScale): number {
  const widest = Math.max(0, ...y.labels.map((label) => textWidth(label, TICK_PX)));
  return Math.ceil(Y_TITLE_BAND + widest + TICK_OFFSET + 4);
}

/** The plot area for a chart whose left margin is `left` and whose last x label is `lastLabel`. */
export function plotArea(left: number, lastLabel: string): Plot {
  // The last x label is centred on the right end of the axis: half of it hangs past the plot.
  const right = Math.max(16, Math.ceil(textWidth(lastLabel, TICK_PX) / 2 + 4));
  return { left, top: TOP, width: CHART_W - left - right, height: CHART_H - TOP - BOTTOM };
}

/** Whether labels centred at positions `spacing` apart leave each other room. */
export function labelsFit(labels: readonly string[], spacing: number): boolean {
  const widest = Math.max(0, ...labels.map((label) => textWidth(label, TICK_PX)));
  return widest + GAP <= spacing;
}

/** Grid lines and y tick labels of `y` over `plot`. */
export function yAxisSvg(y: YScale, plot: Plot): string {
  return y.ticks
    .map((v, i) => {
      const at = n(plot.top + plot.height - (v / y.top) * plot.height);
      return (
        `<line class="grid" x1="${plot.left}" x2="${n(plot.left + plot.width)}" y1="${at}" y2="${at}"/>` +
        `<text class="tick" x="${plot.left - TICK_OFFSET}" y="${n(Number(at) + 4)}" text-anchor="end">${escapeHtml(y.labels[i] ?? '')}</text>`
      );
    })
    .join('');
}

/** One x tick label centred at `x`, below the axis (low enough to clear the y axis's `0`). */
export function xTickSvg(x: number, label: string, plot: Plot): string {
  return `<text class="tick" x="${n(x)}" y="${n(plot.top + plot.height + 20)}" text-anchor="middle">${escapeHtml(label)}</text>`;
}

/** The left and bottom axis lines. */
export function axesSvg(plot: Plot): string {
  const bottom = plot.top + plot.height;
  return `<path class="axis" d="M${plot.left} ${plot.top} V${n(bottom)} H${n(plot.left + plot.width)}"/>`;
}

/** The axis titles: x centred under the plot, y rotated in the left band. */
export function axisTitlesSvg(xLabel: string, yLabel: string, plot: Plot): string {
  const midY = n(plot.top + plot.height / 2);
  const x = Y_TITLE_BAND / 2 + 2;
  return [
    `<text class="axis-label" x="${n(plot.left + plot.width / 2)}" y="${CHART_H - 6}" text-anchor="middle">${escapeHtml(xLabel)}</text>`,
    `<text class="axis-label" x="${x}" y="${midY}" text-anchor="middle" transform="rotate(-90 ${x} ${midY})">${escapeHtml(yLabel)}</text>`,
  ].join('');
}
