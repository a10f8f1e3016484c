import type { Page } from 'playwright-core';

/** A box on the page, in CSS pixels. */
interface Box {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}

/** One chart as Chromium laid it out. */
export interface ChartGeometry {
  readonly id: string;
  /** `chart-columns` (vertical bars), `chart-bars` (horizontal) or `chart-line`. */
  readonly kind: string;
  readonly box: Box;
  readonly texts: readonly { readonly text: string; readonly box: Box }[];
  /** Each `rect.bar`: its `data-value` (NaN when it has none) and its drawn size. */
  readonly bars: readonly { readonly value: number; readonly width: number; readonly height: number }[];
  /** `data-bin-edges` of a histogram, else an empty string. */
  readonly binEdges: string;
}

// Runs in the page: every svg.chart's box, its <text> boxes (their own text, not their <title>),
// and its bars' sizes.
const GEOMETRY = `[...document.querySelectorAll('svg.chart')].map((svg) => {
  const box = (el) => { const r = el.getBoundingClientRect(); return { left: r.left, top: r.top, right: r.right, bottom: r.bottom }; };
  const own = (el) => [...el.childNodes].filter((c) => c.nodeName !== 'title').map((c) => c.textContent).join(' ');
  return {
    id: svg.id,
    kind: [...svg.classList].find((c) => c !== 'chart') ?? '',
    box: box(svg),
    texts: [...svg.querySelectorAll('text')].map((t) => ({ text: own(t), box: box(t) })),
    bars: [...svg.querySelectorAll('rect.bar')].map((r) => {
      const b = r.getBoundingClientRect();
      return { value: Number(r.dataset.value), width: b.width, height: b.height };
    }),
    binEdges: svg.dataset.binEdges ?? '',
  };
})`;

/** The geometry of every chart on the page. */
export function chartGeometry(page: Page): Promise<ChartGeometry[]> {
  return page.evaluate<ChartGeometry[]>(GEOMETRY);
}

// Sub-pixel contact from antialiasing and rounding is not an overlap.
const TOLERANCE_PX = 0.5;

/** Pairs of labels of one chart whose boxes overlap, as `chart: "a" × "b"`. */
export function overlappingLabels(chart: ChartGeometry): string[] {
  const found: string[] = [];
  chart.texts.forEach((a, i) => {
    for (const b of chart.texts.slice(i + 1)) {
      const w = Math.min(a.box.right, b.box.right) - Math.max(a.box.left, b.box.left);
      const h = Math.min(a.box.bottom, b.box.bottom) - Math.max(a.box.top, b.box.top);
      if (w > TOLERANCE_PX && h > TOLERANCE_PX) found.push(`${chart.id}: "${a.text}" × "${b.text}"`);
    }
  });
  return found;
}

/** Labels of one chart that reach outside its svg (which clips them), as `chart: "text"`. */
export function clippedLabels(chart: ChartGeometry): string[] {
  const { box } = chart;
  return chart.texts
    .filter(
      (t) =>
        t.box.left < box.left - TOLERANCE_PX ||
        t.box.top < box.top - TOLERANCE_PX ||
        t.box.right > box.right + TOLERANCE_PX ||
        t.box.bottom > box.bottom + TOLERANCE_PX,
    )
    .map((t) => `${chart.id}: "${t.text}"`);
}

/** Non-zero bars thinner than `minPx` in the direction they grow, as `chart: value (size px)`. */
export function thinBars(chart: ChartGeometry, minPx = 2): string[] {
  return (
    chart.bars
      // A drawn bar without a value counts too: only a bar stated to be zero may be thin.
      .filter((bar) => bar.value !== 0)
      .map((bar) => ({ value: bar.value, size: chart.kind === 'chart-bars' ? bar.width : bar.height }))
      .filter((bar) => !(bar.size >= minPx))
      .map((bar) => `${chart.id}: ${bar.value} (${bar.size.toFixed(2)} px)`)
  );
}

/** Every layout defect of the charts: overlapping, clipped labels and invisible bars. */
export function layoutDefects(charts: readonly ChartGeometry[]): string[] {
  return charts.flatMap((chart) => [
    ...overlappingLabels(chart),
    ...clippedLabels(chart),
    ...thinBars(chart),
  ]);
}
