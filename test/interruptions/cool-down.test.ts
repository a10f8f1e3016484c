import { describe, expect, it } from 'vitest';
import {
  coolDownUntilMs,
  coolingDown,
  KEPT_INTERRUPTIONS,
  withInterruption,
} from '../../lambdas/shared/interruptions/cool-down';

const policy = { interruptions: 3, windowMinutes: 15, minutes: 30 };
const MIN = 60_000;
const at = (minute: number, id = `i-${minute}`) => ({ instanceId: id, atMs: minute * MIN });

describe('spot cool-down: when repeated interruptions switch a pool to on-demand', () => {
  it('starts at the interruption that completes 3 within 15 minutes and lasts 30 minutes', () => {
    const recent = [at(20), at(10), at(6)];
    expect(coolDownUntilMs(recent, policy)).toBe(50 * MIN);
    expect(coolingDown(recent, policy, 49 * MIN)).toBe(true);
    expect(coolingDown(recent, policy, 50 * MIN)).toBe(false);
  });

  it('does not start for interruptions spread wider than the window', () => {
    expect(coolDownUntilMs([at(40), at(20), at(0)], policy)).toBeUndefined();
  });

  it('runs from the latest interruption that completes a threshold, not the first', () => {
    expect(coolDownUntilMs([at(60), at(55), at(50), at(12), at(10), at(8)], policy)).toBe(90 * MIN);
  });

  it('counts a redelivered warning for the same instance once', () => {
    const recent = withInterruption([], at(1, 'i-0a')) ?? [];
    expect(withInterruption(recent, at(2, 'i-0a'))).toBeUndefined();
  });

  it('keeps the newest entries first and at most a bounded number of them', () => {
    let recent = withInterruption([], at(0)) ?? [];
    for (let minute = 1; minute < 200; minute += 1) recent = withInterruption(recent, at(minute)) ?? recent;
    expect(recent).toHaveLength(KEPT_INTERRUPTIONS);
    expect(recent[0]?.atMs).toBe(199 * MIN);
  });

  it('forgets interruptions older than two days', () => {
    const recent = withInterruption([at(0)], at(49 * 60)) ?? [];
    expect(recent.map((noted) => noted.instanceId)).toEqual([`i-${49 * 60}`]);
  });
});
