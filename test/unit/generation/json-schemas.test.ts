// Clients' JSON Schemas, compiled and checked as hostile input: the drafts
// SDKs send, errors that say where, patterns and uniqueItems in linear time,
// bounded size, depth and cache.
import { describe, expect, it } from 'vitest';
import {
  compiledSchemas, compileSchema, MAX_PATTERNS, MAX_SCHEMA_DEPTH, MAX_SCHEMA_NODES, SchemaRefused,
} from '../../../src/generation/json-schemas.ts';
import type { JsonObject } from '../../../src/upstream/types.ts';

const WEATHER: JsonObject = {
  type: 'object',
  properties: { city: { type: 'string', minLength: 2 }, days: { type: 'integer', minimum: 1 }, unit: { enum: ['C', 'F'] } },
  required: ['city', 'days'],
  additionalProperties: false,
};

const fastest = (runs: number, work: () => unknown): number => {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    work();
    best = Math.min(best, performance.now() - started);
  }
  return best;
};

describe('compileSchema', () => {
  it('checks a value and says where it breaks the schema', () => {
    const check = compileSchema(WEATHER);
    expect(check({ city: 'Paris', days: 3 })).toEqual([]);
    expect(check({ city: 'P', days: 0, unit: 'K', wind: true })).toEqual([
      '/ must NOT have additional properties',
      '/city must NOT have fewer than 2 characters',
      '/days must be >= 1',
      '/unit must be equal to one of the allowed values',
    ]);
    expect(check([])).toEqual(['/ must be object']);
  });

  it('takes 2020-12 (the default), 2019-09 and draft-07, as SDKs send them; refuses other drafts', () => {
    const items = { type: 'array', prefixItems: [{ type: 'string' }], items: false };
    expect(compileSchema(items)(['a', 'b'])).toEqual(['/ must NOT have more than 1 items']);
    expect(compileSchema({ $schema: 'https://json-schema.org/draft/2019-09/schema', type: 'object' })({})).toEqual([]);
    const draft07 = { $schema: 'http://json-schema.org/draft-07/schema#', type: 'array', items: [{ type: 'string' }], additionalItems: false };
    expect(compileSchema(draft07)(['a', 'b'])).toEqual(['/ must NOT have more than 1 items']);
    expect(() => compileSchema({ $schema: 'http://json-schema.org/draft-04/schema#', type: 'object' })).toThrow(SchemaRefused);
  });

  it('refuses what is not JSON Schema, and $refs it cannot resolve (nothing is fetched)', () => {
    expect(() => compileSchema({ type: 'object', required: 'city' })).toThrow(/does not compile as JSON Schema/);
    expect(() => compileSchema({ $ref: 'https://example.com/schema.json' })).toThrow(/does not compile as JSON Schema/);
  });

  it('two schemas with one $id compile side by side (the registry keeps neither)', () => {
    expect(compileSchema({ $id: 'https://app.test/a', type: 'string' })('x')).toEqual([]);
    expect(compileSchema({ $id: 'https://app.test/a', type: 'integer' })('x')).toEqual(['/ must be integer']);
  });

  it('runs patterns in linear time: a pattern that backtracks exponentially costs what a plain one costs', () => {
    const text = `${'a'.repeat(200_000)}!`;
    const evil = compileSchema({ type: 'string', pattern: '^(a+)+$' });
    const plain = compileSchema({ type: 'string', pattern: '^a+$' });
    expect(evil(text)).toEqual(['/ must match pattern "^(a+)+$"']);
    // JavaScript's own engine would not finish this in a lifetime.
    expect(fastest(3, () => evil(text))).toBeLessThan(10 * fastest(3, () => plain(text)) + 20);
  });

  it('refuses patterns RE2 cannot run (lookaround, backreferences) with why', () => {
    expect(() => compileSchema({ type: 'string', pattern: '^(?!x)' })).toThrow(/linear-time engine/);
    expect(() => compileSchema({ type: 'object', patternProperties: { '(a)\\1': {} } })).toThrow(/linear-time engine/);
  });

  it('checks uniqueItems in linear time, equal objects whatever their key order', () => {
    const unique = compileSchema({ type: 'array', uniqueItems: true });
    expect(unique([{ a: 1, b: 2 }, { b: 2, a: 1 }])).toEqual(['/ must NOT have duplicate items']);
    expect(unique([{ a: 1 }, { a: 2 }])).toEqual([]);
    const small = Array.from({ length: 2_000 }, (_, i) => ({ i }));
    const large = Array.from({ length: 20_000 }, (_, i) => ({ i }));
    // Pairwise, ten times the items is a hundred times the work.
    expect(fastest(3, () => unique(large))).toBeLessThan(30 * fastest(3, () => unique(small)) + 20);
  });

  it('refuses a schema past its bounds: depth, size, patterns', () => {
    let deep: JsonObject = { type: 'string' };
    for (let i = 0; i < MAX_SCHEMA_DEPTH; i++) deep = { type: 'object', properties: { a: deep } };
    expect(() => compileSchema(deep)).toThrow(`nests deeper than ${MAX_SCHEMA_DEPTH} levels`);
    const wide = { type: 'object', properties: Object.fromEntries(Array.from({ length: MAX_SCHEMA_NODES / 2 }, (_, i) => [`p${i}`, {}])) };
    expect(() => compileSchema(wide)).toThrow(`more than ${MAX_SCHEMA_NODES} values`);
    const patterns = { type: 'object', properties: Object.fromEntries(Array.from({ length: MAX_PATTERNS + 1 }, (_, i) => [`p${i}`, { pattern: `^${i}$` }])) };
    expect(() => compileSchema(patterns)).toThrow(`more than ${MAX_PATTERNS} patterns`);
  });

  it('keeps at most 256 compiled schemas', () => {
    for (let i = 0; i < 300; i++) compileSchema({ type: 'object', properties: { [`p${i}`]: { type: 'string' } } });
    expect(compiledSchemas()).toBe(256);
  });
});
