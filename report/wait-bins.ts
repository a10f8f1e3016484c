import { niceStep } from './axis';

/**
 * The bins of the wait histograms. One set serves every scenario of a report, so that the
 * histograms of Spotlab and of what it is compared with line up bin for bin.
 */
export interface WaitBins {
  /** Seconds per bin. */
  readonly widthS: number;
  readonly count: number;
}

// Bin widths people read as round durations: seconds, then minutes, then hours.
const ROUND_SECONDS = [1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1800, 3600];
const TARGET_BINS = 15;

/** Round-duration bins, about fifteen, that hold the longest wait of all `waitsSeconds`. */
export function waitBins(waitsSeconds: readonly (readonly number[])[]): WaitBins {
  // reduce, not Math.max(...values): a long run has more waits than a call has room for arguments.
  const longest = waitsSeconds.reduce((most, waits) => waits.reduce((m, v) => Math.max(m, v), most), 0);
  const raw = longest / TARGET_BINS;
  const widthS = ROUND_SECONDS.find((s) => s >= raw) ?? niceStep(raw / 3600, 1) * 3600;
  return { widthS, count: Math.floor(longest / widthS) + 1 };
}

/** How many of `waitsSeconds` fall in each bin (bin i is `[i × width, (i + 1) × width)`). */
export function binCounts(waitsSeconds: readonly number[], bins: WaitBins): number[] {
  const counts = Array.from({ length: bins.count }, () => 0);
  for (const v of waitsSeconds) {
    const bin = Math.min(bins.count - 1, Math.floor(v / bins.widthS));
    counts[bin] = (counts[bin] ?? 0) + 1;
  }
  return counts;
}
