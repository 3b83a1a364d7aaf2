// Hostile inputs, HTTP bodies on POST /graphql: JSON that is broken, not
// UTF-8, nested a million deep, of the wrong shape or type; envelopes whose
// fields have the wrong type around a document that would run; wrong content
// types, empty and oversized bodies. All are client errors, none runs.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { couldRun, documents, RUNNABLE } from './documents.ts';
import { junk, toJson, type Json } from './generate-input.ts';
import { checkGraphQL, expectSoundRun, request, startHostile, type Category, type Hostile, type Target } from './hostile.ts';
import { rawRequest } from './wire.ts';

const GENERATE = RUNNABLE.find((d) => d.startsWith('mutation Generate'))!;
const BODIES = RUNNABLE.map((query) => JSON.stringify({ query, variables: { id: 'sim', input: { modelId: 'sim', prompt: 'Hi' } } }));

/** Whether the server could read these bytes as a request that runs (decoded as it decodes them). */
function mayRun(body: string | Uint8Array): boolean {
  try {
    const parsed = JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8')) as { query?: unknown } | null;
    return typeof parsed === 'object' && parsed !== null && typeof parsed.query === 'string' && couldRun(parsed.query);
  } catch {
    return false;
  }
}

const invalidUtf8 = fc.constantFrom([0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82], [0x80]);
const deep = (n: number, open: string, close: string) => open.repeat(n) + close.repeat(n);

const brokenJson = fc.oneof(
  fc.constantFrom(...BODIES).chain((b) => fc.nat(b.length - 1).map((n) => b.slice(0, n))),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.tuple(fc.constantFrom(...BODIES), fc.nat(), invalidUtf8).map(([b, at, bytes]) => {
    const i = at % b.length;
    return Buffer.concat([Buffer.from(b.slice(0, i)), Buffer.from(bytes), Buffer.from(b.slice(i))]);
  }),
  fc.jsonValue({ maxDepth: 4 }).filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)).map((v) => JSON.stringify(v)),
  // Nested past any recursive parser: as the body, as variables, and inside a GenerateInput field.
  fc.integer({ min: 1000, max: 400_000 }).chain((n) => fc.constantFrom(
    deep(n, '[', ']'),
    `{"query":${JSON.stringify(GENERATE)},"variables":${deep(n, '[', ']')}}`,
    `{"query":"mutation G($input: GenerateInput!) { generate(input: $input) { generatedText } }","variables":{"input":{"modelId":"sim","prompt":"Hi","stop":${deep(n, '[', ']')}}}}`,
    `{"query":"{ info { name } }","extensions":${deep(n, '{"a":', '}')}}`,
  )),
).filter((b) => !mayRun(b));

const post = (target: Target, body: string | Uint8Array, headers: Record<string, string>) =>
  request(`${target.url}/graphql`, { method: 'POST', headers, body });

const brokenBodies: Category<[string | Buffer, 'json' | 'graphql-response']> = {
  name: 'broken JSON bodies',
  runs: 300,
  input: fc.tuple(brokenJson, fc.constantFrom<'json' | 'graphql-response'>('json', 'graphql-response')),
  probe: async (target, [body, accept]) => checkGraphQL(await post(target, body, {
    'content-type': 'application/json', accept: accept === 'json' ? 'application/json' : 'application/graphql-response+json',
  }), target, accept),
};

/** A generation that would run, with one envelope field of the wrong type (or the document under the wrong name). */
const envelope = fc.oneof(
  fc.tuple(fc.constantFrom('variables', 'extensions'), junk.filter((v) => v !== null && (typeof v !== 'object' || Array.isArray(v))))
    .map(([key, value]): Json => ({ query: GENERATE, [key]: value })),
  junk.filter((v) => v !== null && v !== 'Generate' && v !== '').map((operationName): Json => ({ query: GENERATE, operationName })),
  fc.constantFrom<Json>({ query: [GENERATE] }, { query: { query: GENERATE } }, { Query: GENERATE }, { mutation: GENERATE }, { queries: [GENERATE] }, { query: null, variables: { query: GENERATE } }),
);

const envelopes: Category<Json> = {
  name: 'envelope fields of the wrong type',
  runs: 250,
  input: envelope,
  probe: async (target, body) => checkGraphQL(await post(target, toJson(body), { 'content-type': 'application/json', accept: 'application/json' }), target, 'json'),
};

const TYPES = ['text/plain', 'text/html', 'application/xml', 'application/octet-stream', 'image/png', 'application/jsonx', 'application/json-patch+json',
  'Application/JSON', 'application/json , text/plain', 'application/json; charset=utf-16', 'application/json; charset=bogus', 'application/json;;;',
  'application/graphql', 'application/graphql+json; charset=latin1', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '*/*', ''];

const contentTypes: Category<[string, string, boolean]> = {
  name: 'wrong content types',
  runs: 250,
  input: fc.tuple(fc.oneof(fc.constantFrom(...TYPES), fc.string({ unit: 'grapheme-ascii', maxLength: 40 })),
    fc.oneof(documents.random.map((query) => JSON.stringify({ query })), documents.random, documents.truncated.map((q) => `query=${encodeURIComponent(q)}`)),
    fc.boolean()),
  probe: async (target, [type, body, csrf]) => {
    const headers: Record<string, string> = { 'content-type': type, accept: 'application/json', ...(csrf ? { 'x-graphql-csrf': '1' } : {}) };
    return checkGraphQL(await post(target, body, headers), target, 'json');
  },
};

const raw = async (target: Target, head: string, body = ''): Promise<string[]> =>
  (await rawRequest(target.port, `${head}\r\nhost: 127.0.0.1\r\naccept: application/json\r\nconnection: close\r\n\r\n${body}`)).flatMap((a) => checkGraphQL(a, target, 'json'));

const EMPTY = [...TYPES.slice(0, 4), 'application/json', 'application/graphql+json'].flatMap((type) => [
  `POST /graphql HTTP/1.1\r\ncontent-type: ${type}\r\nx-graphql-csrf: 1\r\ncontent-length: 0`,
  `POST /graphql HTTP/1.1\r\ncontent-type: ${type}\r\nx-graphql-csrf: 1\r\ntransfer-encoding: chunked\r\n\r\n0`,
  `POST /graphql HTTP/1.1\r\ncontent-type: ${type}\r\nx-graphql-csrf: 1`,
]);
const emptyBodies: Category<string> = { name: 'empty bodies', runs: 0, input: fc.constant(EMPTY[0]!), examples: EMPTY, probe: (target, head) => raw(target, head) };

const oversized: Category<[number, boolean]> = {
  name: 'oversized bodies',
  runs: 12,
  input: fc.tuple(fc.integer({ min: 1_048_577, max: 3_000_000 }), fc.boolean()),
  probe: async (target, [size, declaredOnly]) => declaredOnly
    // Declares more than MAX_REQUEST_BYTES and sends a little: refused on the header, not after a wait.
    ? raw(target, `POST /graphql HTTP/1.1\r\ncontent-type: application/json\r\ncontent-length: ${size}`, '{"query":"{ info { name } }"}')
    : checkGraphQL(await post(target, toJson({ query: GENERATE, variables: { pad: 'x'.repeat(size) } }), { 'content-type': 'application/json' }), target, 'json'),
};

const CATEGORIES = [brokenBodies, envelopes, contentTypes, emptyBodies, oversized] as const;

describe('hostile HTTP bodies on POST /graphql (NODE_ENV=production)', () => {
  let hostile: Hostile;
  beforeAll(async () => {
    hostile = await startHostile('http-bodies');
    await hostile.warmUp(CATEGORIES);
  }, 180_000);
  afterAll(() => hostile.stop());

  it('answers broken, non-UTF-8, non-object and million-deep JSON with a client error', () => hostile.check(CATEGORIES[0]), 60_000);
  it('refuses envelopes whose variables, extensions, operationName or query have the wrong type', () => hostile.check(CATEGORIES[1]), 60_000);
  it('refuses bodies under content types it does not read', () => hostile.check(CATEGORIES[2]), 60_000);
  it('refuses empty bodies, whatever their content type and framing', () => hostile.check(CATEGORIES[3]), 60_000);
  it('refuses bodies over MAX_REQUEST_BYTES with 413, sent or only declared', () => hostile.check(CATEGORIES[4]), 60_000);

  it('stays up, answers /healthz about as fast as when idle, never reaches TGI, and keeps its RSS within 20 %', async () => {
    expectSoundRun(await hostile.finish());
  });
});
