import { describe, expect, it } from 'vitest';
import { MAX_SEED, mayHaveLostDigits, seedFromDigits, seedFromNumber } from '../../../src/generation/seed.ts';

describe('seeds', () => {
  it('are TGI\'s u64: 0 to 2^64 - 1', () => {
    expect(MAX_SEED).toBe(18446744073709551615n);
  });

  describe('seedFromDigits', () => {
    it.each([
      ['0', 0n],
      ['42', 42n],
      ['9007199254740993', 9007199254740993n], // 2^53 + 1: a JS number cannot hold it
      ['14875267490767656219', 14875267490767656219n],
      ['18446744073709551615', MAX_SEED],
    ])('reads %s exactly', (text, seed) => {
      expect(seedFromDigits(text)).toBe(seed);
    });

    it.each([
      ['2^64', '18446744073709551616'],
      ['a 21-digit number', '100000000000000000000'],
      ['a sign', '-1'],
      ['a plus sign', '+1'],
      ['a leading zero, which JSON and GraphQL integers never have', '007'],
      ['spaces', ' 1'],
      ['a trailing newline', '1\n'],
      ['an exponent', '1e3'],
      ['a fraction', '1.0'],
      ['hexadecimal', '0x10'],
      ['an underscore', '1_000'],
      ['non-ASCII digits', '١٢'],
      ['nothing', ''],
    ])('refuses %s', (_what, text) => {
      expect(seedFromDigits(text)).toBeUndefined();
    });
  });

  describe('seedFromNumber', () => {
    it('takes safe non-negative integers', () => {
      expect(seedFromNumber(0)).toBe(0n);
      expect(seedFromNumber(Number.MAX_SAFE_INTEGER)).toBe(9007199254740991n);
    });

    it.each([-1, 1.5, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY])('refuses %d, which is not a seed or may have lost digits', (value) => {
      expect(seedFromNumber(value)).toBeUndefined();
    });

    it('tells a rounded u64 from a number that was never one', () => {
      expect(mayHaveLostDigits(14875267490767656219)).toBe(true);
      expect(mayHaveLostDigits(-1)).toBe(false);
      expect(mayHaveLostDigits(1e30)).toBe(false);
    });
  });
});
