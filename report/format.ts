/** Figures as the report and the demo's summary print them: fixed decimals, no locale. */

/** `1234.5` → `1,234.5`; `digits` decimals at most (trailing zeros dropped). */
export function formatNumber(value: number, digits = 1): string {
  const [whole = '0', fraction] = Math.abs(value).toFixed(digits).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const trimmed = fraction?.replace(/0+$/, '');
  return `${value < 0 ? '-' : ''}${grouped}${trimmed ? `.${trimmed}` : ''}`;
}

/** USD with cents: `$1,234.56`. */
export function formatUSD(value: number): string {
  const [whole = '0', cents = '00'] = value.toFixed(2).split('.');
  return `$${formatNumber(Number(whole), 0)}.${cents}`;
}

/** Seconds as people read a wait: `42 s`, `3 min 05 s`, `1 h 02 min`. */
export function formatSeconds(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** Simulated elapsed time as minutes:seconds: `t+04:00`, `t+72:30`. */
export function formatElapsed(ms: number): string {
  const total = Math.floor(ms / 1000);
  return `t+${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
}

/** Seconds as an axis tick, dropping zero parts: `0 s`, `45 s`, `2 min`, `1 min 30 s`, `2 h`. */
export function formatDurationTick(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return s % 60 === 0 ? `${s / 60} min` : `${Math.floor(s / 60)} min ${s % 60} s`;
  const minutes = Math.floor((s % 3600) / 60);
  return `${Math.floor(s / 3600)} h${minutes === 0 ? '' : ` ${minutes} min`}`;
}
