import { escapeHtml } from './escape';
import { formatNumber } from './format';

/**
 * The report's charts as inline SVG strings, drawn here so the page needs no script and no
 * network. Each chart is an `<svg class="chart ...">` with the given id; its data marks are
 * `<path class="series ...">` and `<rect class="bar ...">`, which the report test looks for.
 */

const W = 720;
const H = 260;
const M = { left: 60, right: 16, top: 14, bottom: 44 } as const;
const PLOT_W = W - M.left - M.right;
const PLOT_H = H - M.top - M.bottom;

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

/** A step that puts about `ticks` round numbers (1, 2, 5 × 10ⁿ) on an axis from 0 to `max`. */
export function niceStep(max: number, ticks = 5): number {
  if (!(max > 0)) return 1;
  const raw = max / ticks;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / magnitude;
  return (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * magnitude;
}

const n = (v: number): string => String(Math.round(v * 10) / 10);

function frame(spec: ChartSpec, kind: string, body: string): string {
  return [
    `<svg id="${escapeHtml(spec.id)}" class="chart ${kind}" viewBox="0 0 ${W} ${H}" role="img"`,
    ` aria-label="${escapeHtml(spec.title)}" xmlns="http://www.w3.org/2000/svg">`,
    `<title>${escapeHtml(spec.title)}</title>`,
    body,
    `<text class="axis-label" x="${M.left + PLOT_W / 2}" y="${H - 6}" text-anchor="middle">${escapeHtml(spec.xLabel)}</text>`,
    `<text class="axis-label" x="14" y="${M.top + PLOT_H / 2}" text-anchor="middle"`,
    ` transform="rotate(-90 14 ${M.top + PLOT_H / 2})">${escapeHtml(spec.yLabel)}</text>`,
    '</svg>',
  ].join('');
}

/** Horizontal grid lines and y tick labels from 0 to `max`; returns the scale's top value. */
function yAxis(max: number, format: (v: number) => string): { top: number; svg: string } {
  const step = niceStep(max);
  const top = Math.max(step, Math.ceil(max / step) * step);
  const parts: string[] = [];
  for (let v = 0; v <= top + step / 2; v += step) {
    const y = M.top + PLOT_H - (v / top) * PLOT_H;
    parts.push(`<line class="grid" x1="${M.left}" x2="${M.left + PLOT_W}" y1="${n(y)}" y2="${n(y)}"/>`);
    parts.push(
      `<text class="tick" x="${M.left - 6}" y="${n(y + 4)}" text-anchor="end">${escapeHtml(format(v))}</text>`,
    );
  }
  return { top, svg: parts.join('') };
}

/** A line chart of one or more series sharing both axes (y from 0). */
export function lineChart(
  spec: ChartSpec & { readonly series: readonly Series[]; formatY?: (v: number) => string },
): string {
  const all = spec.series.flatMap((s) => s.points);
  const maxX = Math.max(0, ...all.map(([x]) => x));
  const maxY = Math.max(0, ...all.map(([, y]) => y));
  const y = yAxis(maxY, spec.formatY ?? ((v) => formatNumber(v, 2)));
  const xStep = niceStep(maxX, 8);
  const xTop = Math.max(xStep, Math.ceil(maxX / xStep) * xStep);
  const px = (x: number) => M.left + (x / xTop) * PLOT_W;
  const py = (v: number) => M.top + PLOT_H - (v / y.top) * PLOT_H;
  const xTicks: string[] = [];
  for (let x = 0; x <= xTop + xStep / 2; x += xStep)
    xTicks.push(
      `<text class="tick" x="${n(px(x))}" y="${M.top + PLOT_H + 16}" text-anchor="middle">${escapeHtml(formatNumber(x, 1))}</text>`,
    );
  const paths = spec.series.map((s) => {
    const d = s.points.map(([x, v], i) => `${i === 0 ? 'M' : 'L'}${n(px(x))} ${n(py(v))}`).join(' ');
    return `<path class="series ${escapeHtml(s.className)}" d="${d}"><title>${escapeHtml(s.name)}</title></path>`;
  });
  return frame(spec, 'chart-line', [y.svg, xTicks.join(''), axes(), ...paths].join(''));
}

/** One bar: its label on the category axis, its value, what hovering it says. */
export interface Bar {
  readonly label: string;
  readonly value: number;
  readonly className?: string;
  readonly hover: string;
}

/** Vertical bars side by side (a histogram when the labels are bins); zero bars draw nothing. */
export function columnChart(
  spec: ChartSpec & { readonly bars: readonly Bar[]; formatY?: (v: number) => string },
): string {
  const y = yAxis(Math.max(0, ...spec.bars.map((b) => b.value)), spec.formatY ?? ((v) => formatNumber(v, 1)));
  const band = PLOT_W / Math.max(1, spec.bars.length);
  const labelEvery = Math.ceil(spec.bars.length / 12);
  const parts = spec.bars.map((bar, i) => {
    const h = (bar.value / y.top) * PLOT_H;
    const x = M.left + i * band;
    const label =
      i % labelEvery === 0
        ? `<text class="tick" x="${n(x + band / 2)}" y="${M.top + PLOT_H + 16}" text-anchor="middle">${escapeHtml(bar.label)}</text>`
        : '';
    const rect =
      h > 0
        ? `<rect class="bar ${escapeHtml(bar.className ?? '')}" x="${n(x + band * 0.1)}" y="${n(M.top + PLOT_H - h)}" width="${n(band * 0.8)}" height="${n(h)}"><title>${escapeHtml(bar.hover)}</title></rect>`
        : '';
    return rect + label;
  });
  return frame(spec, 'chart-columns', [y.svg, axes(), ...parts].join(''));
}

/** Horizontal bars, one per row, labelled on the left: for comparing a few named figures. */
export function barChart(
  spec: Omit<ChartSpec, 'xLabel' | 'yLabel'> & {
    readonly bars: readonly Bar[];
    format: (v: number) => string;
  },
): string {
  const rowH = 34;
  const labelW = 260;
  const height = spec.bars.length * rowH + 12;
  const max = Math.max(0, ...spec.bars.map((b) => b.value));
  const widthOf = (v: number) => (max > 0 ? (v / max) * (W - labelW - 110) : 0);
  const rows = spec.bars.map((bar, i) => {
    const y = 6 + i * rowH;
    const w = widthOf(bar.value);
    return [
      `<text class="bar-label" x="${labelW - 8}" y="${y + 21}" text-anchor="end">${escapeHtml(bar.label)}</text>`,
      w > 0
        ? `<rect class="bar ${escapeHtml(bar.className ?? '')}" x="${labelW}" y="${y + 6}" width="${n(Math.max(w, 1))}" height="${rowH - 12}"><title>${escapeHtml(bar.hover)}</title></rect>`
        : '',
      `<text class="bar-value" x="${n(labelW + w + 6)}" y="${y + 21}">${escapeHtml(spec.format(bar.value))}</text>`,
    ].join('');
  });
  return [
    `<svg id="${escapeHtml(spec.id)}" class="chart chart-bars" viewBox="0 0 ${W} ${height}" role="img"`,
    ` aria-label="${escapeHtml(spec.title)}" xmlns="http://www.w3.org/2000/svg"><title>${escapeHtml(spec.title)}</title>`,
    ...rows,
    '</svg>',
  ].join('');
}

function axes(): string {
  const bottom = M.top + PLOT_H;
  return `<path class="axis" d="M${M.left} ${M.top} V${bottom} H${M.left + PLOT_W}"/>`;
}
