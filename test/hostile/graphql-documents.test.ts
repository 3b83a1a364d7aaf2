// Hostile inputs, GraphQL documents: random text, valid documents cut short or
// unbalanced, odd code points, deep nesting, oversized documents, fragment
// cycles, directive and alias bombs, batches. Each is refused with a client
// error (GRAPHQL_PARSE_FAILED / GRAPHQL_VALIDATION_FAILED / BAD_REQUEST) and
// reaches no model server; to graphql-response+json the refusal is a 4xx.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { documents, nested, NESTINGS, RUNNABLE } from './documents.ts';
import { checkGraphQL, expectSoundRun, postGraphQL, startHostile, type Category, type Hostile } from './hostile.ts';

type Accept = 'json' | 'graphql-response';
const ACCEPT: Record<Accept, string> = { json: 'application/json', 'graphql-response': 'application/graphql-response+json' };

/** Each document goes out once per run, to one of the two accept headers. */
const posted = (name: string, runs: number, document: fc.Arbitrary<string>, examples: [string, Accept][] = []): Category<[string, Accept]> => ({
  name,
  runs,
  examples,
  input: fc.tuple(document, fc.constantFrom<Accept>('json', 'graphql-response')),
  probe: async (target, [query, accept]) => checkGraphQL(await postGraphQL(target, JSON.stringify({ query }), ACCEPT[accept]), target, accept),
});

/** Batching is off: an array of operations is refused whole, even when each entry would run alone (no generation among them). */
const batches: Category<unknown[]> = {
  name: 'batches',
  runs: 120,
  input: fc.array(fc.oneof(
    documents.random.map((query) => ({ query })),
    fc.constantFrom(...RUNNABLE.filter((d) => !/generate/i.test(d) && !d.includes('$'))).map((query) => ({ query })),
    fc.constantFrom(null, 1, 'query', [], {}),
  ), { minLength: 1, maxLength: 40 }),
  probe: async (target, batch) => checkGraphQL(await postGraphQL(target, JSON.stringify(batch)), target, 'json'),
};

/** Past the stack, before and after the parser's token limit. */
const DEEPEST = [993, 1500, 2500, 5000].flatMap((depth) => Array.from({ length: NESTINGS }, (_, shape): [string, Accept] => [nested(depth, shape), 'graphql-response']));

const CATEGORIES = [
  posted('random text', 400, documents.random),
  posted('truncated documents', 300, documents.truncated),
  posted('unbalanced braces', 250, documents.unbalanced),
  posted('bad unicode and control characters', 250, documents.badUnicode),
  posted('deep nesting', 120, documents.nesting, DEEPEST),
  posted('oversized documents', 30, documents.oversized),
  posted('fragment cycles', 80, documents.fragmentCycles),
  posted('directive bombs', 80, documents.directiveBombs),
  posted('alias bombs', 80, documents.aliasBombs),
  batches,
  // Last: they fill the parse cache, the other documents do so a little.
  posted('distinct token-dense documents', 200, documents.tokenDense),
] as const;

describe('hostile GraphQL documents (NODE_ENV=production)', () => {
  let hostile: Hostile;
  beforeAll(async () => {
    hostile = await startHostile('graphql-documents');
    await hostile.warmUp(CATEGORIES);
  }, 180_000);
  afterAll(() => hostile.stop());

  it('refuses random text', () => hostile.check(CATEGORIES[0]), 60_000);
  it('refuses valid documents cut short anywhere', () => hostile.check(CATEGORIES[1]), 60_000);
  it('refuses documents with braces, parentheses or brackets added or dropped', () => hostile.check(CATEGORIES[2]), 60_000);
  it('refuses documents with lone surrogates, control characters and odd code points', () => hostile.check(CATEGORIES[3]), 60_000);
  it('refuses nesting thousands deep without a stack overflow', () => hostile.check(CATEGORIES[4]), 60_000);
  it('refuses documents past 64 KiB or 2,000 tokens (413 past the 1 MiB body limit)', () => hostile.check(CATEGORIES[5]), 60_000);
  it('refuses fragment cycles, generations inside included', () => hostile.check(CATEGORIES[6]), 60_000);
  it('refuses directive bombs', () => hostile.check(CATEGORIES[7]), 60_000);
  it('refuses alias bombs, generations past one per operation included', () => hostile.check(CATEGORIES[8]), 60_000);
  it('refuses batches (arrays of operations)', () => hostile.check(CATEGORIES[9]), 60_000);
  it('refuses distinct documents of 2,000 tokens (what it keeps of them is judged below)', () => hostile.check(CATEGORIES[10]), 60_000);

  it('stays up, answers /healthz about as fast as when idle, never reaches TGI, and keeps its RSS within 20 %', async () => {
    expectSoundRun(await hostile.finish());
  });
});

// A cold process (no JIT yet) has the deepest stack frames: its first documents are the deepest.
describe('hostile GraphQL documents on a cold gateway', () => {
  let hostile: Hostile;
  beforeAll(async () => {
    hostile = await startHostile('graphql-documents, cold');
  }, 180_000);
  afterAll(() => hostile.stop());

  it('refuses nesting thousands deep from its first request on', () => hostile.check(posted('deep nesting, cold', 0, documents.nesting, DEEPEST)), 60_000);
});
