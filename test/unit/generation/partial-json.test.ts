// Partial JSON values, as a chat stream shows a JSON answer or a call's
// arguments while they fill in (API.md § Tool calls, "Partial values").
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PartialJson } from '../../../src/generation/partial-json.ts';

/** Feeds the pieces; the value after each, copied. */
function partials(pieces: string[]): unknown[] {
  const parser = new PartialJson();
  return pieces.map((piece, i) => {
    parser.push(piece);
    if (i === pieces.length - 1) parser.end();
    return structuredClone(parser.value);
  });
}

/** `before` → `after` keeps every key and element, their types, every finished value; only `mayGrow` strings grow. */
function stable(before: unknown, after: unknown): boolean {
  if (before === undefined) return true;
  if (typeof before === 'string') return typeof after === 'string' && after.startsWith(before);
  if (before === null || typeof before !== 'object') return Object.is(before, after);
  if (Array.isArray(before)) return Array.isArray(after) && after.length >= before.length && before.every((b, i) => stable(b, after[i]));
  if (after === null || typeof after !== 'object' || Array.isArray(after)) return false;
  return Object.entries(before).every(([k, v]) => k in after && stable(v, (after as Record<string, unknown>)[k]));
}

/** Only the last string shown may have grown between two values: every other one is whole. */
function growingStrings(before: unknown, after: unknown, out: string[] = []): string[] {
  if (typeof before === 'string' && before !== after) out.push(before);
  else if (before !== null && typeof before === 'object') {
    for (const [k, v] of Object.entries(before)) growingStrings(v, (after as Record<string, unknown>)[k], out);
  }
  return out;
}

const cut = (text: string, at: number[]): string[] => {
  const points = [...new Set(at.map((p) => p % (text.length + 1)))].sort((a, b) => a - b);
  return [...points, text.length].map((end, i) => text.slice(i === 0 ? 0 : points[i - 1], end));
};

describe('PartialJson', () => {
  it('shows an object as it fills in: keys with their value once it started, numbers only once complete', () => {
    expect(partials(['{"ti', 'tle":"Du', 'ne","ye', 'ar":19', '65,"tags":["a"', ',"b"]}'])).toEqual([
      {},
      { title: 'Du' },
      { title: 'Dune' },
      { title: 'Dune' },
      { title: 'Dune', year: 1965, tags: ['a'] },
      { title: 'Dune', year: 1965, tags: ['a', 'b'] },
    ]);
  });

  it('reads escapes split across pieces, and literals only whole', () => {
    expect(partials(['["a\\', 'n\\u00', 'e9", tr', 'ue, nu', 'll]'])).toEqual([['a'], ['a\n'], ['a\né'], ['a\né', true], ['a\né', true, null]]);
  });

  it('a number at the very end of the text is complete at its end', () => {
    expect(partials(['4', '2'])).toEqual([undefined, 42]);
  });

  it('text that stops being JSON freezes the value where it was', () => {
    const parser = new PartialJson();
    parser.push('{"a":1,');
    parser.push('}');
    expect(parser.broken).toBe(true);
    expect(parser.value).toEqual({ a: 1 });
    parser.push('"b":2}');
    expect(parser.value).toEqual({ a: 1 });
  });

  it('keeps a key named __proto__ as an own property, as JSON.parse does, never as the prototype', () => {
    const shown = partials(['{"__proto__":{"a":', '1}}']);
    expect(shown.at(-1)).toEqual(JSON.parse('{"__proto__":{"a":1}}'));
    expect(Object.getPrototypeOf(shown.at(-1))).toBe(Object.prototype);
    expect(Object.keys(shown.at(-1) as object)).toEqual(['__proto__']);
  });

  it('for any JSON cut anywhere: each value keeps the last one, only one string grows, and the end is the parsed text', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), fc.array(fc.nat(), { maxLength: 30 }), (value, spaced, at) => {
        const text = JSON.stringify(value, null, spaced ? 1 : undefined);
        const shown = partials(cut(text, at));
        expect(shown.at(-1)).toEqual(JSON.parse(text));
        for (let i = 1; i < shown.length; i++) {
          expect(stable(shown[i - 1], shown[i])).toBe(true);
          expect(growingStrings(shown[i - 1], shown[i]).length).toBeLessThanOrEqual(1);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('costs time linear in each piece: a long string fed in 20,000 pieces costs what it costs in one, within a factor', () => {
    const text = JSON.stringify({ text: 'x'.repeat(400_000), n: [1, 2, 3] });
    const time = (pieces: string[]) => {
      const started = performance.now();
      const parser = new PartialJson();
      for (const piece of pieces) parser.push(piece);
      parser.end();
      return performance.now() - started;
    };
    const whole = Math.min(time([text]), time([text]), time([text]));
    const size = Math.ceil(text.length / 20_000);
    const pieces = Array.from({ length: 20_000 }, (_, i) => text.slice(i * size, (i + 1) * size));
    const split = Math.min(time(pieces), time(pieces));
    // A re-parse of the text so far per piece would be 10,000 times the whole.
    expect(split).toBeLessThan(10 * whole + 50);
  });
});
