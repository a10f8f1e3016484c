import type { WarmConfig } from './pool';

/** One cron field as the set of values it allows. */
type Field = ReadonlySet<number>;

interface Cron {
  readonly minute: Field;
  readonly hour: Field;
  readonly dayOfMonth: Field;
  readonly month: Field;
  readonly dayOfWeek: Field;
  /** Classic cron: with both day fields restricted, a day matching either one fires. */
  readonly eitherDay: boolean;
}

/** A cron expression the configuration let through but that names values outside a field's range. */
export class CronSyntaxError extends Error {
  override readonly name = 'CronSyntaxError';
}

const BOUNDS: readonly (readonly [number, number])[] = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 7],
];

function parseField(text: string, [low, high]: readonly [number, number]): Set<number> {
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    const [from, to] =
      range === '*'
        ? [low, high]
        : range.includes('-')
          ? range.split('-').map(Number)
          : [Number(range), stepText === undefined ? Number(range) : high];
    if (![from, to, step].every(Number.isInteger) || from === undefined || to === undefined || step < 1)
      throw new CronSyntaxError(`bad cron field "${text}"`);
    if (from < low || to > high || from > to) throw new CronSyntaxError(`cron field "${text}" out of range`);
    for (let value = from; value <= to; value += step) values.add(value);
  }
  return values;
}

/** Parses a five-field cron expression (numbers, `*`, ranges, lists, steps; Sunday is 0 or 7). */
export function parseCron(expression: string): Cron {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) throw new CronSyntaxError(`"${expression}" does not have five fields`);
  const [minute, hour, dayOfMonth, month, dayOfWeek] = fields.map((field, index) =>
    parseField(field, BOUNDS[index] ?? [0, 0]),
  );
  if (minute === undefined || hour === undefined || dayOfMonth === undefined)
    throw new CronSyntaxError(expression);
  if (month === undefined || dayOfWeek === undefined) throw new CronSyntaxError(expression);
  if (dayOfWeek.has(7)) dayOfWeek.add(0);
  return {
    minute,
    hour,
    dayOfMonth,
    month,
    dayOfWeek,
    eitherDay: fields[2] !== '*' && fields[4] !== '*',
  };
}

/** Wall-clock fields of an instant in a time zone. */
interface Local {
  readonly minute: number;
  readonly hour: number;
  readonly day: number;
  readonly month: number;
  readonly weekday: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** Minutes the zone's wall clock is ahead of UTC at `atMs`. */
function offsetMinutes(atMs: number, timeZone: string): number {
  let format = formats.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formats.set(timeZone, format);
  }
  const part = (type: string) => Number(format.formatToParts(atMs).find((p) => p.type === type)?.value);
  const wall = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'));
  return Math.round((wall - Math.floor(atMs / 60_000) * 60_000) / 60_000);
}

function localAt(atMs: number, offset: number): Local {
  const wall = new Date(atMs + offset * 60_000);
  return {
    minute: wall.getUTCMinutes(),
    hour: wall.getUTCHours(),
    day: wall.getUTCDate(),
    month: wall.getUTCMonth() + 1,
    weekday: wall.getUTCDay(),
  };
}

function fires(cron: Cron, at: Local): boolean {
  if (!cron.minute.has(at.minute) || !cron.hour.has(at.hour) || !cron.month.has(at.month)) return false;
  const byMonthDay = cron.dayOfMonth.has(at.day);
  const byWeekday = cron.dayOfWeek.has(at.weekday);
  return cron.eitherDay ? byMonthDay || byWeekday : byMonthDay && byWeekday;
}

/** One schedule, parsed once. */
export interface WarmWindow {
  readonly cron: Cron;
  readonly timeZone: string;
  readonly durationMs: number;
  readonly count: number;
}

/** The windows of a pool's warm configuration, parsed (none without one). */
export function warmWindows(warm: WarmConfig | undefined): WarmWindow[] {
  return (warm?.schedules ?? []).map((s) => ({
    cron: parseCron(s.cron),
    timeZone: s.timeZone,
    durationMs: s.durationHours * 3_600_000,
    count: s.count,
  }));
}

/** Whether a window opened (its cron fired) within its duration before `nowMs`. */
export function windowOpen(window: WarmWindow, nowMs: number): boolean {
  const now = Math.floor(nowMs / 60_000) * 60_000;
  const start = now - window.durationMs;
  // The zone's offset is asked twice, not once a minute: it changes within a window only on the
  // nights daylight saving time begins or ends, and then every minute is asked.
  const offsetNow = offsetMinutes(now, window.timeZone);
  const steady = offsetMinutes(start, window.timeZone) === offsetNow;
  for (let at = now; at > start; at -= 60_000) {
    const offset = steady ? offsetNow : offsetMinutes(at, window.timeZone);
    if (fires(window.cron, localAt(at, offset))) return true;
  }
  return false;
}

/** How many ready instances a pool keeps at `nowMs`: the largest count of its open windows, else 0. */
export function warmTarget(windows: readonly WarmWindow[], nowMs: number): number {
  return Math.max(0, ...windows.filter((w) => windowOpen(w, nowMs)).map((w) => w.count));
}

/**
 * Instance-hours the windows keep ready in the week from `weekStartMs`: at each minute the largest
 * count among the open windows, as {@link warmTarget} would answer. One pass per window.
 */
export function warmInstanceHoursPerWeek(windows: readonly WarmWindow[], weekStartMs: number): number {
  const minutes = 7 * 24 * 60;
  const most = new Array<number>(minutes).fill(0);
  for (const window of windows) {
    const span = Math.ceil(window.durationMs / 60_000);
    let lastFire = Number.NEGATIVE_INFINITY;
    for (let index = -span; index < minutes; index += 1) {
      const at = weekStartMs + index * 60_000;
      if (fires(window.cron, localAt(at, offsetMinutes(at, window.timeZone)))) lastFire = index;
      if (index >= 0 && index - lastFire < span) most[index] = Math.max(most[index] ?? 0, window.count);
    }
  }
  return most.reduce((sum, count) => sum + count, 0) / 60;
}
