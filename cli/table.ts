/** One cell: numbers are right-aligned, everything else left-aligned. */
export type Cell = string | number;

/**
 * Renders rows under a header as a plain-text table, columns padded to their widest cell and
 * separated by two spaces, with a trailing newline. `empty` is printed instead when there is no row.
 */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly Cell[])[],
  empty = '(none)',
): string {
  if (rows.length === 0) return `${empty}\n`;
  const text = rows.map((row) => header.map((_, column) => String(row[column] ?? '')));
  const numeric = header.map((_, column) => rows.every((row) => typeof row[column] === 'number'));
  const widths = header.map((title, column) =>
    Math.max(title.length, ...text.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[], alignRight: readonly boolean[]) =>
    cells
      .map((cell, column) => {
        const width = widths[column] ?? 0;
        return alignRight[column] === true ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return `${[line(header, numeric), ...text.map((row) => line(row, numeric))].join('\n')}\n`;
}

/** `label: value` lines with the values aligned, for a short summary above a table. */
export function formatPairs(pairs: readonly (readonly [string, Cell])[]): string {
  const width = Math.max(0, ...pairs.map(([label]) => label.length));
  return pairs.map(([label, value]) => `${`${label}:`.padEnd(width + 1)}  ${value}\n`).join('');
}

/** Seconds as `45s`, `12m`, `3h05m`, `2d04h`: compact enough for an age column. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86_400)}d${String(Math.floor((s % 86_400) / 3600)).padStart(2, '0')}h`;
}
