// The per-second buckets behind the memory store's counts.
import { describe, expect, it } from 'vitest';
import { SlidingWindow } from '../../../src/rate-limits/sliding-window.ts';

const second = (s: number): number => s * 1000;

describe('sliding window', () => {
  it('holds what was added in the last 60 seconds, exact to the second', () => {
    const window = new SlidingWindow();
    window.add(second(100) + 999, 5);
    window.add(second(130), 2);
    expect(window.total(second(159) + 999)).toBe(7);
    expect(window.total(second(160))).toBe(2);
    expect(window.total(second(190))).toBe(0);
  });

  it('answers how long until the total falls below a limit', () => {
    const window = new SlidingWindow();
    window.add(second(100), 3);
    window.add(second(110), 3);
    const now = second(120) + 500;
    expect(window.total(now)).toBe(6);
    expect(window.secondsUntilBelow(now, 6)).toBe(40); // the 3 of second 100 leave at 160
    expect(window.secondsUntilBelow(now, 3)).toBe(50); // all of them must go: second 110 leaves at 170
  });

  it('keeps at most 60 buckets when added to every second and never read', () => {
    const window = new SlidingWindow();
    for (let s = 0; s < 3600; s++) window.add(second(s), 1);
    expect(window.buckets).toBeLessThanOrEqual(60);
    expect(window.total(second(3599))).toBe(60);
  });

  it('puts what a clock stepping back adds into the newest bucket', () => {
    const window = new SlidingWindow();
    window.add(second(100), 1);
    window.add(second(90), 1);
    expect(window.buckets).toBe(1);
    expect(window.total(second(159))).toBe(2);
  });
});
