import { CHART_W, n } from './axis';
import { escapeHtml } from './escape';
import { textWidth, wrapText } from './text';

/** One bar: its label on the category axis, its value, what hovering it says. */
export interface Bar {
  readonly label: string;
  readonly value: number;
  readonly className?: string;
  readonly hover: string;
}

/** Font sizes of the row labels and the values (report/style.ts). */
const LABEL_PX = 13;
const VALUE_PX = 12;
const LINE_H = 16;
const BAR_H = 22;
const PAD = 8;
// Row labels may take this share of the width; longer ones wrap, then are cut with a <title>.
const MAX_LABEL_SHARE = 0.42;
const MAX_LINES = 2;
// A non-zero figure drawn narrower than this would vanish beside a long bar.
const MIN_BAR_PX = 2;

/**
 * Horizontal bars, one per row, labelled on the left: for comparing a few named figures. The label
 * column is as wide as the longest label, up to a share of the chart; a label longer than that
 * wraps onto a second line and is cut after it, its whole text then shown on hover.
 */
export function barChart(spec: {
  readonly id: string;
  readonly title: string;
  readonly bars: readonly Bar[];
  format: (v: number) => string;
}): string {
  const cap = CHART_W * MAX_LABEL_SHARE;
  const wrapped = spec.bars.map((bar) => wrapText(bar.label, cap, LABEL_PX, MAX_LINES));
  const labelW = Math.ceil(
    Math.max(0, ...wrapped.flatMap((w) => w.lines.map((line) => textWidth(line, LABEL_PX)))),
  );
  const barX = PAD + labelW + PAD;
  const valueW = Math.max(0, ...spec.bars.map((bar) => textWidth(spec.format(bar.value), VALUE_PX)));
  const room = CHART_W - barX - 6 - valueW - PAD;
  const lines = Math.max(1, ...wrapped.map((w) => w.lines.length));
  const rowH = Math.max(BAR_H + 12, lines * LINE_H + 10);
  const max = Math.max(0, ...spec.bars.map((b) => b.value));
  const rows = spec.bars.map((bar, i) => {
    const mid = 6 + i * rowH + rowH / 2;
    const w = max > 0 && bar.value > 0 ? Math.max(MIN_BAR_PX, (bar.value / max) * room) : 0;
    const label = wrapped[i] ?? { lines: [bar.label], cut: false };
    return [
      rowLabel(label.lines, label.cut ? bar.label : undefined, barX - PAD, mid),
      w > 0
        ? `<rect class="bar ${escapeHtml(bar.className ?? '')}" data-value="${bar.value}" x="${barX}" y="${n(mid - BAR_H / 2)}" width="${n(w)}" height="${BAR_H}"><title>${escapeHtml(bar.hover)}</title></rect>`
        : '',
      `<text class="bar-value" x="${n(barX + w + 6)}" y="${n(mid + 4)}">${escapeHtml(spec.format(bar.value))}</text>`,
    ].join('');
  });
  const height = spec.bars.length * rowH + 12;
  return [
    `<svg id="${escapeHtml(spec.id)}" class="chart chart-bars" viewBox="0 0 ${CHART_W} ${n(height)}" role="img"`,
    ` aria-label="${escapeHtml(spec.title)}" xmlns="http://www.w3.org/2000/svg"><title>${escapeHtml(spec.title)}</title>`,
    ...rows,
    '</svg>',
  ].join('');
}

/** A row's label, right-aligned at `x`, its lines centred on `mid`; `full` when it was cut. */
function rowLabel(lines: readonly string[], full: string | undefined, x: number, mid: number): string {
  const first = mid + 4 - ((lines.length - 1) * LINE_H) / 2;
  const spans = lines.map(
    (line, i) => `<tspan x="${x}" y="${n(first + i * LINE_H)}">${escapeHtml(line)}</tspan>`,
  );
  const title = full === undefined ? '' : `<title>${escapeHtml(full)}</title>`;
  return `<text class="bar-label" text-anchor="end">${title}${spans.join('')}</text>`;
}
