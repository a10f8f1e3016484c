import { describe, expect, it } from 'vitest';
import { CronSyntaxError, parseCron, warmTarget, warmWindows } from '../../lambdas/shared/warm-schedule';

const berlinWeekdays = warmWindows({
  schedules: [{ cron: '0 8 * * 1-5', timeZone: 'Europe/Berlin', durationHours: 11, count: 2 }],
});

describe('warm schedules', () => {
  it.each<[string, number, number]>([
    ['Monday 07:59 in Berlin (winter, UTC+1)', Date.UTC(2026, 10, 23, 6, 59), 0],
    ['Monday 08:00 in Berlin', Date.UTC(2026, 10, 23, 7, 0), 2],
    ['Monday 18:59 in Berlin', Date.UTC(2026, 10, 23, 17, 59), 2],
    ['Monday 19:00 in Berlin, when the 11 hours are over', Date.UTC(2026, 10, 23, 18, 0), 0],
    ['Saturday 10:00 in Berlin', Date.UTC(2026, 10, 28, 9, 0), 0],
    ['Monday 08:00 in Berlin in summer (UTC+2)', Date.UTC(2026, 5, 22, 6, 0), 2],
    ['Monday 07:30 in Berlin in summer', Date.UTC(2026, 5, 22, 5, 30), 0],
  ])('keeps the count at %s', (_case, atMs, count) => {
    expect(warmTarget(berlinWeekdays, atMs)).toBe(count);
  });

  it('follows the night daylight saving time begins (Sunday 29 March 2026 in Berlin)', () => {
    const nightly = warmWindows({
      schedules: [{ cron: '0 1 * * *', timeZone: 'Europe/Berlin', durationHours: 3, count: 1 }],
    });

    // 01:00 CET is 00:00 UTC; three hours later the clocks read 05:00 CEST (03:00 UTC).
    expect(warmTarget(nightly, Date.UTC(2026, 2, 29, 0, 30))).toBe(1);
    expect(warmTarget(nightly, Date.UTC(2026, 2, 29, 2, 59))).toBe(1);
    expect(warmTarget(nightly, Date.UTC(2026, 2, 29, 3, 0))).toBe(0);
  });

  it('takes the largest count of the windows open at once', () => {
    const windows = warmWindows({
      schedules: [
        { cron: '0 8 * * *', timeZone: 'UTC', durationHours: 10, count: 1 },
        { cron: '30 8 * * *', timeZone: 'UTC', durationHours: 1, count: 4 },
      ],
    });

    expect(warmTarget(windows, Date.UTC(2026, 10, 23, 8, 45))).toBe(4);
    expect(warmTarget(windows, Date.UTC(2026, 10, 23, 10, 0))).toBe(1);
  });

  it.each(['60 8 * * *', '0 8 * * 8', '0 8 * *', '0 5-2 * * *'])(
    'refuses the cron expression "%s"',
    (cron) => {
      expect(() => parseCron(cron)).toThrow(CronSyntaxError);
    },
  );

  it('reads lists, ranges, steps and Sunday as 7', () => {
    const cron = parseCron('*/15 8-10,14 * * 7');

    expect([...cron.minute]).toEqual([0, 15, 30, 45]);
    expect([...cron.hour]).toEqual([8, 9, 10, 14]);
    expect(cron.dayOfWeek.has(0)).toBe(true);
  });
});
