import { describe, expect, it } from 'vitest';
import { parseDurationSeconds } from '../../planner/duration';

describe('parseDurationSeconds', () => {
  it.each([
    ['90s', 90],
    ['30m', 1800],
    ['4h', 14_400],
    ['30d', 2_592_000],
    ['20m0s', 1200],
    ['1h30m', 5400],
  ])('reads %s as %i seconds', (text, seconds) => {
    expect(parseDurationSeconds(text)).toBe(seconds);
  });

  it.each(['', '30', 'soon', '30 m', '-5m', '5w'])('refuses %j', (text) => {
    expect(parseDurationSeconds(text)).toBeUndefined();
  });
});
