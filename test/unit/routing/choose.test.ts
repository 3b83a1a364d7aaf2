import { describe, expect, it } from 'vitest';
import { choose, isHot, type Candidate } from '../../../src/routing/choose.ts';

const guard = { slack: 4, ratio: 0.5 };
const c = (matched: number, load: number): Candidate => ({ matched, load });

describe('choosing a replica', () => {
  it('prefers the replica holding the longest prefix', () => {
    expect(choose([c(0, 0), c(9, 2), c(3, 1)], guard)).toEqual({ index: 1, reason: 'prefix' });
  });

  it('leaves the choice to load when every replica holds the same prefix (a system prompt sent everywhere)', () => {
    expect(choose([c(4, 3), c(4, 1), c(4, 2)], guard)).toEqual({ index: 1, reason: 'load' });
  });

  it('takes the least loaded when no replica holds any of the prompt', () => {
    expect(choose([c(0, 5), c(0, 2), c(0, 7)], guard)).toEqual({ index: 1, reason: 'load' });
  });

  it('keeps the first of equals, so that the caller rotation shares ties', () => {
    expect(choose([c(0, 1), c(0, 1)], guard)?.index).toBe(0);
    expect(choose([c(2, 1), c(2, 1), c(0, 1)], guard)).toEqual({ index: 0, reason: 'prefix' });
  });

  describe('the hot-spot guard', () => {
    it('calls a replica hot when its load runs well above the least loaded one (absolute slack, then a ratio)', () => {
      expect(isHot(4, 0, guard)).toBe(false);
      expect(isHot(5, 0, guard)).toBe(true);
      expect(isHot(30, 20, guard)).toBe(false);
      expect(isHot(31, 20, guard)).toBe(true);
    });

    it('lets affinity yield to load when the prefix holder is hot', () => {
      expect(choose([c(9, 12), c(0, 1), c(0, 3)], guard)).toEqual({ index: 1, reason: 'load' });
    });

    it('sends the prompt to the next longest holder that is not hot', () => {
      expect(choose([c(9, 12), c(5, 2), c(0, 1)], guard)).toEqual({ index: 1, reason: 'prefix' });
    });

    it('keeps affinity while the holder is only a little busier', () => {
      expect(choose([c(9, 4), c(0, 1), c(0, 0)], guard)).toEqual({ index: 0, reason: 'prefix' });
    });
  });

  it('chooses nothing from no candidate', () => {
    expect(choose([], guard)).toBeUndefined();
  });
});
