import { describe, expect, it } from 'vitest';
import { formatDuration, formatPairs, formatTable } from '../../cli/table';

describe('formatTable', () => {
  it('pads columns to their widest cell and right-aligns numeric columns', () => {
    const text = formatTable(
      ['POOL', 'RUNNING'],
      [
        ['arm-docker', 3],
        ['x86', 12],
      ],
    );

    expect(text).toBe('POOL        RUNNING\narm-docker        3\nx86              12\n');
  });

  it('prints the empty text instead of a header with no row', () => {
    expect(formatTable(['INSTANCE'], [], '(no instance)')).toBe('(no instance)\n');
  });
});

describe('formatPairs', () => {
  it('aligns the values after the longest label', () => {
    expect(
      formatPairs([
        ['Stack', 'Spotlab'],
        ['Spend now', '$0.00/h'],
      ]),
    ).toBe('Stack:      Spotlab\nSpend now:  $0.00/h\n');
  });
});

describe('formatDuration', () => {
  it.each([
    [45, '45s'],
    [720, '12m'],
    [3 * 3600 + 5 * 60, '3h05m'],
    [2 * 86_400 + 4 * 3600, '2d04h'],
    [-3, '0s'],
  ])('renders %i seconds as %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});
