import { parse, validate, specifiedRules } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../../../src/schema/index.ts';
import { maxGenerationsRule } from '../../../../src/transport/guards/document-limits.ts';
import { nestingDepth } from '../../../../src/transport/guards/document-shape.ts';
import { boundedParseCache, noteTokens } from '../../../../src/transport/guards/parse-cache.ts';

const generate = (alias: string, prompt = 'Hi') => `${alias}: generate(input: {modelId: "m", prompt: "${prompt}"}) { generatedText }`;
const errorsOf = (document: string, max = 1) =>
  validate(schema, parse(document), [...specifiedRules, maxGenerationsRule(max)]).map((e) => e.message);

describe('maxGenerationsRule', () => {
  it('lets one generation through, and queries whatever their size', () => {
    expect(errorsOf(`mutation { ${generate('a')} }`)).toEqual([]);
    expect(errorsOf(`{ ${Array.from({ length: 30 }, (_, i) => `m${i}: models { id }`).join(' ')} }`)).toEqual([]);
  });

  it('counts aliases, inline fragments and named fragments', () => {
    expect(errorsOf(`mutation { ${generate('a')} ${generate('b')} }`)).toEqual(['An operation may start at most 1 generation; this one asks for 2. Send one request per generation.']);
    expect(errorsOf(`mutation { ... on Mutation { ${generate('a')} } ...F } fragment F on Mutation { ${generate('b')} }`)).toHaveLength(1);
  });

  it('counts a response key once, as execution merges its fields', () => {
    expect(errorsOf(`mutation { ${generate('a')} ...F } fragment F on Mutation { ${generate('a')} }`)).toEqual([]);
  });

  it('does not loop on fragment cycles (graphql-js reports them)', () => {
    const errors = errorsOf(`mutation { ...A } fragment A on Mutation { ...B ${generate('a')} } fragment B on Mutation { ...A ${generate('b')} }`);
    expect(errors).toContain('An operation may start at most 1 generation; this one asks for 2. Send one request per generation.');
  });

  it('judges each operation of a document on its own', () => {
    expect(errorsOf(`mutation One { ${generate('a')} } mutation Two { ${generate('a')} }`)).toEqual([]);
  });

  it('takes its limit from the setting', () => {
    expect(errorsOf(`mutation { ${generate('a')} ${generate('b')} ${generate('c')} }`, 3)).toEqual([]);
  });
});

describe('boundedParseCache', () => {
  it('holds at most the given size, evicting the least recently used', () => {
    const { documentCache } = boundedParseCache(10_000);
    const documents = Array.from({ length: 50 }, (_, i) => `{ model(id: "${i}-${'x'.repeat(900)}") { id } }`);
    for (const text of documents) documentCache.set(text, noteTokens(parse(text)));
    expect(documentCache.calculatedSize).toBeLessThanOrEqual(10_000);
    expect(documentCache.get(documents[0]!)).toBeUndefined();
    expect(documentCache.get(documents[49]!)).toBeDefined();
  });

  it('sizes a document by its tokens, which it keeps alive, as well as by its text', () => {
    const { documentCache } = boundedParseCache(1 << 20);
    const dense = `{ ${'a: info { name } '.repeat(300)} }`; // 5 KB, some 1,800 tokens
    documentCache.set(dense, noteTokens(parse(dense)));
    expect(documentCache.calculatedSize).toBeGreaterThan(1800 * 500);
  });
});

describe('nestingDepth', () => {
  it('counts brackets of every kind, outside strings, block strings and comments', () => {
    expect(nestingDepth('{ a { b(c: [[1]]) } }', 100)).toBe(5);
    expect(nestingDepth('{ a(s: "[[[[[[", t: """((((""") }', 100)).toBe(2);
    expect(nestingDepth('{ a(t: """ \\""" [[[[ """) }', 100)).toBe(2);
    expect(nestingDepth('{ a } # [[[[[[[[\n{ b }', 100)).toBe(1);
    expect(nestingDepth('{ a(s: "\\"[[[[") }', 100)).toBe(2);
  });

  it('stops counting past the most it is asked about', () => {
    expect(nestingDepth('['.repeat(100_000), 64)).toBe(65);
  });
});
