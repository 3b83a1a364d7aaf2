// GraphQL documents that the gateway must refuse, each checked here against the
// schema and the gateway's documented limits (64 KiB, 2,000 tokens, one
// generation per operation): a generator never hands out a document that could run.
import fc from 'fast-check';
import { parse, specifiedRules, validate, Kind } from 'graphql';
import { schema } from '../../src/schema/index.ts';
import { maxGenerationsRule } from '../../src/transport/guards/document-limits.ts';

const MAX_BYTES = 65536;
const MAX_TOKENS = 2000;
const RULES = [...specifiedRules, maxGenerationsRule(1)];

/** Whether the gateway could run this document (as the only operation of a request without operationName). */
export function couldRun(document: string): boolean {
  if (Buffer.byteLength(document, 'utf8') > MAX_BYTES) return false;
  try {
    const ast = parse(document, { maxTokens: MAX_TOKENS });
    if (ast.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).length !== 1) return false;
    return validate(schema, ast, RULES).length === 0;
  } catch {
    return false;
  }
}

const GENERATE = 'generate(input: {modelId: "sim", prompt: "Hello", maxNewTokens: 2, seed: 42}) { modelId generatedText details { finishReason generatedTokens seed } }';

/** Documents that run (generations included): the material that truncation and splicing break. */
export const RUNNABLE = [
  '{ info { name version uptimeSeconds } }',
  'query Models { models { id name hfName endpoint available health { status healthy checkedAt latencyMs error } replicas { url state healthy inFlight } } }',
  'query One($id: ID!) { model(id: $id) { id name health { status } } }',
  `mutation Generate { ${GENERATE} }`,
  'subscription Stream { generateStream(input: {modelId: "sim", prompt: "Hello", maxNewTokens: 2}) { index token { id text logprob special } generatedText } }',
  'mutation G($input: GenerateInput!) { generate(input: $input) { generatedText } }',
  'query Q { ...F } fragment F on Query { info { name } models { id } }',
  `mutation M { ...on Mutation { ${GENERATE} } }`,
];

/** Shapes of deep nesting (see `nested`). */
export const NESTINGS = 5;

/** A document nested `depth` deep in one of five ways: selections, unknown fields, lists, objects, inline fragments. */
export function nested(depth: number, shape: number): string {
  const deep = (open: string, inner: string, close: string) => open.repeat(depth) + inner + close.repeat(depth);
  return [
    deep('{', '', '}'),
    `{ ${deep('a { ', 'b', ' }')} }`,
    `{ model(id: ${deep('[', '"x"', ']')}) { id } }`,
    `{ model(id: ${deep('{a: ', '1', '}')}) { id } }`,
    `{ ${deep('... on Query { ', 'nope', ' }')} }`,
  ][shape]!;
}

const refused = (a: fc.Arbitrary<string>) => a.filter((d) => !couldRun(d));
const runnable = fc.constantFrom(...RUNNABLE);

/** Lone surrogates, control characters, a BOM, odd spaces and non-BMP characters. */
export const badCharacter = fc.oneof(
  fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)),
  fc.constantFrom('\u007f', '\ufeff', '\u2028', '\u00a0', '\ufffe', '\uffff', '😀', '\u0301', '\\u', '\\uD800', '\\x00'),
);

const TOKENS = ['{', '}', '(', ')', '[', ']', ':', '$', '@', '...', '!', '=', '|', '&', '"', '"""', '#', ',', ' ', '\n',
  'query', 'mutation', 'subscription', 'fragment', 'on', 'info', 'name', 'models', 'model', 'id', 'generate', 'generateStream',
  'input', 'modelId', 'prompt', '"sim"', '0', '-1', '1.5e3', 'true', 'null', 'ID!', 'GenerateInput', '__typename', '__schema'];

/** Whether graphql-js parses it within the token limit (so that it can only fail validation). */
const parses = (document: string) => {
  try {
    parse(document, { maxTokens: MAX_TOKENS });
    return Buffer.byteLength(document, 'utf8') <= MAX_BYTES;
  } catch {
    return false;
  }
};

export const documents = {
  /** Any string at all: bytes, graphemes, or GraphQL's own punctuation and names in random order. */
  random: refused(fc.oneof(
    fc.string({ unit: 'binary', maxLength: 300 }),
    fc.string({ unit: 'grapheme', maxLength: 300 }),
    fc.array(fc.constantFrom(...TOKENS), { maxLength: 80 }).map((t) => t.join(' ')),
  )),
  /** A runnable document cut short anywhere. */
  truncated: refused(runnable.chain((d) => fc.integer({ min: 0, max: d.length - 1 }).map((n) => d.slice(0, n)))),
  /** A runnable document with braces, parentheses or brackets added or removed. */
  unbalanced: refused(fc.tuple(runnable, fc.array(fc.tuple(fc.nat(), fc.constantFrom('{', '}', '(', ')', '[', ']', '')), { minLength: 1, maxLength: 6 }))
    .map(([d, edits]) => edits.reduce((doc, [at, brace]) => {
      const i = at % (doc.length + 1);
      return brace === '' ? doc.slice(0, i) + doc.slice(i + 1) : doc.slice(0, i) + brace + doc.slice(i);
    }, d))),
  /** A runnable document with lone surrogates, control characters and other odd code points spliced in. */
  badUnicode: refused(fc.tuple(runnable, fc.array(fc.tuple(fc.nat(), badCharacter), { minLength: 1, maxLength: 4 }))
    .map(([d, edits]) => edits.reduce((doc, [at, c]) => { const i = at % (doc.length + 1); return doc.slice(0, i) + c + doc.slice(i); }, d))),
  /** Selections, lists, objects or fragments nested up to thousands deep. */
  nesting: refused(fc.tuple(fc.integer({ min: 2, max: 3000 }), fc.nat(NESTINGS - 1)).map(([depth, shape]) => nested(depth, shape))),
  /** Distinct documents of some 2,000 tokens that parse but do not validate: each one parsed, validated and cached. */
  tokenDense: refused(fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'), minLength: 12, maxLength: 12 })
    .map((name) => `{ ${name} ${'a '.repeat(1990)}}`)),
  /** Past 64 KiB (padding, a long literal) or past 2,000 tokens, up to a little over the 1 MiB body limit. */
  oversized: refused(fc.tuple(runnable, fc.integer({ min: 65_537, max: 1_100_000 }), fc.nat(3)).map(([d, size, shape]) => [
    d + ' '.repeat(size),
    `${d} # ${'x'.repeat(size)}`,
    `{ model(id: "${'x'.repeat(size)}") { id } }`,
    `{ ${'info { name } '.repeat(Math.min(20_000, Math.floor(size / 100)))} }`,
  ][shape]!)),
  /** Fragments that spread each other in a cycle (generations inside, on Mutation). */
  fragmentCycles: refused(fc.tuple(fc.integer({ min: 1, max: 60 }), fc.boolean()).map(([n, mutation]) => {
    const on = mutation ? 'Mutation' : 'Query';
    const body = mutation ? GENERATE : 'info { name }';
    const fragments = Array.from({ length: n }, (_, i) => `fragment F${i} on ${on} { ${body} ...F${(i + 1) % n} }`);
    return `${mutation ? 'mutation' : 'query'} { ...F0 } ${fragments.join(' ')}`;
  })),
  /** The same or unknown directives, hundreds of times on one field or operation. */
  directiveBombs: refused(fc.tuple(fc.integer({ min: 2, max: 700 }), fc.nat(3)).map(([n, shape]) => [
    `{ info ${'@skip(if: false) '.repeat(n)}{ name } }`,
    `{ info ${Array.from({ length: n }, (_, i) => `@d${i}`).join(' ')} { name } }`,
    `query ${'@include(if: true) '.repeat(n)}{ info { name } }`,
    `mutation { ${GENERATE.replace('{ modelId', `${'@skip(if: false) '.repeat(n)}{ modelId`)} }`,
  ][shape]!)),
  /** Hundreds of aliases: of generations (one per operation at most), of conflicting fields, of an unknown one. */
  aliasBombs: refused(fc.tuple(fc.integer({ min: 2, max: 700 }), fc.nat(2)).map(([n, shape]) => {
    const many = (f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join(' ');
    return [
      `mutation { ${many((i) => `g${i}: ${GENERATE}`)} }`,
      `{ ${many((i) => `a: model(id: "${i}") { id }`)} }`,
      `{ ${many((i) => `a${i}: info { name }`)} nope }`,
    ][shape]!;
  })),
};

/** Documents that parse but do not validate: unknown fields, cycles, bombs of generations or directives. */
export const unvalidated = refused(fc.oneof(
  fc.string({ unit: fc.constantFrom(...'abcdefghij'), minLength: 1, maxLength: 12 }).map((name) => `{ ${name} }`),
  documents.fragmentCycles, documents.aliasBombs, documents.directiveBombs, documents.nesting,
).filter(parses));
