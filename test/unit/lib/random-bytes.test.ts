import { describe, expect, it } from 'vitest';
import { randomText, randomWord } from '../../../src/lib/random-bytes.ts';

describe('random bytes from the pool', () => {
  it('gives the length asked in the encoding asked', () => {
    expect(randomText(12, 'hex')).toMatch(/^[0-9a-f]{24}$/);
    expect(randomText(16, 'base64url')).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(randomWord(24, 'ab')).toMatch(/^[ab]{24}$/);
  });

  it('never hands out the same bytes twice, across refills of the pool', () => {
    // 4 KiB per refill: 2,000 ids of 16 bytes refill it several times, and straddle its end.
    const ids = Array.from({ length: 2000 }, () => randomText(16, 'hex'));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('serves a length larger than the pool straight from the system', () => {
    expect(randomText(5000, 'hex')).toHaveLength(10_000);
  });
});
