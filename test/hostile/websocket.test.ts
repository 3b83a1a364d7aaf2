// Hostile inputs, graphql-ws on a real WebSocket: frames that are not JSON,
// binary or not UTF-8; messages of unknown types or malformed; messages only a
// server may send; subscribe before connection_init, a second connection_init;
// operations that cannot run (bad documents, bad variables, huge or duplicate
// ids); handshakes that are no graphql-transport-ws. The socket is closed with a
// client-fault code, or the operation ends with errors while the socket lives.
import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { documents, RUNNABLE, unvalidated } from './documents.ts';
import { brokenInput, junk, toJson, type Json } from './generate-input.ts';
import { ANSWER_MS, expectSoundRun, startHostile, type Category, type Hostile, type Target } from './hostile.ts';
import { checkWs, wsSession, type Frame } from './wire.ts';

const STREAM = RUNNABLE.find((d) => d.startsWith('subscription Stream'))!;
const STREAM_VARIABLES = 'subscription S($input: GenerateInput!) { generateStream(input: $input) { index token { text } } }';
const parses = (text: string) => { try { JSON.parse(text); return true; } catch { return false; } };
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** graphql-ws's own validation of a message (validateMessage), for every type a peer may send. */
function wellFormed(value: unknown): boolean {
  if (!isObject(value) || typeof value.type !== 'string' || value.type === '') return false;
  const { type, id, payload } = value;
  const idOk = typeof id === 'string' && id !== '';
  const nullish = (v: unknown) => v === null || v === undefined;
  switch (type) {
    case 'connection_init': case 'connection_ack': case 'ping': case 'pong': return nullish(payload) || isObject(payload);
    case 'subscribe': return idOk && isObject(payload) && typeof payload.query === 'string' && (nullish(payload.variables) || isObject(payload.variables))
      && (nullish(payload.operationName) || typeof payload.operationName === 'string') && (nullish(payload.extensions) || isObject(payload.extensions));
    case 'next': return idOk && isObject(payload);
    case 'error': return idOk && Array.isArray(payload) && payload.length > 0 && payload.every((e) => isObject(e) && typeof e.message === 'string');
    case 'complete': return idOk;
    default: return false;
  }
}

type Session = { init: boolean; frames: Frame[]; ids?: string[] };
const session = (name: string, runs: number, input: fc.Arbitrary<Session>, expect: 'close' | 'operation', examples: Session[] = []): Category<Session> => ({
  name,
  runs,
  input,
  examples,
  probe: async (target, s) => checkWs(await wsSession(target.wsUrl, s), target, expect, s.ids),
});
const text = (data: string): Frame => ({ data });
const anyState = <T>(frames: fc.Arbitrary<T>, toFrames: (t: T) => Frame[]) => fc.tuple(frames, fc.boolean()).map(([t, init]): Session => ({ init, frames: toFrames(t) }));

const notJson = anyState(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), documents.random, fc.constantFrom('{', '{"type":"connection_init"', "{'type':'ping'}", 'undefined')).filter((s) => !parses(s)), (s) => [text(s)]);
const binary = anyState(fc.uint8Array({ maxLength: 300 }).filter((b) => !parses(Buffer.from(b).toString())), (b) => [{ data: Buffer.from(b), binary: true }]);
const notUtf8 = anyState(fc.tuple(fc.string({ maxLength: 40 }), fc.constantFrom([0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80])),
  ([s, bytes]) => [{ data: Buffer.concat([Buffer.from(`{"type":"ping","payload":{"x":"${s.replace(/["\\]/g, '')}`), Buffer.from(bytes), Buffer.from('"}}')]) }]);

const TYPES = ['connection_init', 'ping', 'pong', 'subscribe', 'complete', 'next', 'error', 'connection_ack', 'Subscribe', 'connection_init ', '', 'start', 'stop', 'connection_terminate', 'ka', 'data'];
const field = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const message = fc.record({
  type: field(fc.oneof(fc.constantFrom(...TYPES), junk)),
  id: field(fc.oneof(fc.string({ maxLength: 8 }), junk)),
  payload: field(fc.oneof(junk, fc.record({ query: field(fc.oneof(documents.random, junk)), variables: field(junk), operationName: field(junk), extensions: field(junk) }, { requiredKeys: [] }))),
}, { requiredKeys: [] }) as fc.Arbitrary<Record<string, Json>>;
const malformed = anyState(fc.oneof(message, junk).map((m) => toJson(m as Json)).filter((t) => !wellFormed(JSON.parse(t))), (t) => [text(t)]);

const SERVER_ONLY = [{ type: 'connection_ack' }, { type: 'connection_ack', payload: {} }, { type: 'next', id: '1', payload: { data: null } }, { type: 'error', id: '1', payload: [{ message: 'x' }] }];
const serverOnly = anyState(fc.constantFrom(...SERVER_ONLY), (m) => [text(JSON.stringify(m))]);

const generation = (id: string) => text(JSON.stringify({ id, type: 'subscribe', payload: { query: STREAM } }));
const ORDER: Session[] = [
  { init: false, frames: [generation('1')] },
  { init: false, frames: [text('{"type":"connection_init"}'), text('{"type":"connection_init"}')] },
  { init: true, frames: [text('{"type":"connection_init","payload":{}}')] },
  { init: false, frames: [generation('1'), text('{"type":"connection_init"}')] },
];
const beforeInit = fc.string({ minLength: 1, maxLength: 20 }).map((id): Session => ({ init: false, frames: [generation(id)] }));
/** A generation sent right behind a second connection_init, in the same burst: the socket is closing for it. */
const behindReinit = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.boolean()).map(([n, payload]): Session => ({
  init: true,
  frames: [text(payload ? '{"type":"connection_init","payload":{}}' : '{"type":"connection_init"}'), ...Array.from({ length: n }, (_, i) => generation(String(i)))],
}));

/** Short ids, ids of any code points, ids of a few KB, ids of up to 600 KB. */
const ids = fc.oneof(fc.string({ minLength: 1, maxLength: 16 }), fc.string({ unit: 'binary', minLength: 1, maxLength: 16 }),
  fc.integer({ min: 100, max: 4000 }).map((n) => 'm'.repeat(n)), fc.integer({ min: 10_000, max: 600_000 }).map((n) => 'h'.repeat(n)));
/** Subscribes under one id (twice, when `twice`: a duplicate id while the first may still run). */
const operations = (payload: fc.Arbitrary<Record<string, Json>>, id: fc.Arbitrary<string> = fc.string({ minLength: 1, maxLength: 16 }), twice: fc.Arbitrary<boolean> = fc.constant(false)) =>
  fc.tuple(id, payload, twice, payload).map(([i, first, again, second]): Session => ({
    init: true,
    ids: [i],
    frames: [first, ...(again ? [second] : [])].map((p) => text(toJson({ id: i, type: 'subscribe', payload: p }))),
  }));
/**
 * A fixed pool of documents, cached after the warm-up: the parse caches' own growth under distinct
 * documents is judged over HTTP (graphql-documents); here RSS judges what sockets leave behind.
 */
const pool = (documents: fc.Arbitrary<string>) => fc.constantFrom(...fc.sample(documents, { numRuns: 60, seed: 7 }));
const unparsable = operations(pool(fc.oneof(documents.random, documents.truncated, documents.unbalanced, documents.oversized.filter((d) => d.length < 900_000))).map((query) => ({ query })));
const invalid = operations(pool(unvalidated).map((query) => ({ query })));
const badVariables = operations(brokenInput('variables').map(({ input }) => ({ query: STREAM_VARIABLES, variables: { input } })));
const unknownOperation = operations(fc.oneof(
  fc.string({ minLength: 1, maxLength: 12 }).filter((n) => n !== 'Stream').map((operationName) => ({ query: STREAM, operationName })),
  fc.constant({ query: 'query A { info { name } } query B { info { name } }' }),
));
const oddIds = operations(pool(unvalidated).map((query) => ({ query })), ids, fc.boolean());

const CATEGORIES = [
  session('frames that are not JSON', 150, notJson, 'close'),
  session('binary frames', 80, binary, 'close'),
  session('text frames that are not UTF-8', 40, notUtf8, 'close'),
  session('malformed messages', 250, malformed, 'close'),
  session('server-only message types', 8, serverOnly, 'close', SERVER_ONLY.flatMap((m) => [true, false].map((init) => ({ init, frames: [text(JSON.stringify(m))] })))),
  session('out-of-order messages', 30, beforeInit, 'close', ORDER),
  session('generations behind a second connection_init', 10, behindReinit, 'close'),
  session('unparsable documents', 120, unparsable, 'operation'),
  session('documents that do not validate', 120, invalid, 'operation'),
  session('variables that do not fit', 150, badVariables, 'operation'),
  session('operation names that match nothing', 40, unknownOperation, 'operation'),
  session('huge and duplicate ids', 100, oddIds, 'operation'),
] as const;

/** A raw upgrade request; answers the HTTP status and, after a 101, the code of the first close frame. */
function upgrade(target: Target, headers: string[], path = '/graphql'): Promise<{ status: number; closeCode?: number }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(target.port, '127.0.0.1', () => socket.write(`GET ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: Upgrade\r\n${headers.join('\r\n')}\r\n\r\n`));
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      const data = Buffer.concat(chunks);
      const end = data.indexOf('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data.toString('latin1'))?.[1] ?? 0);
      const frame = end === -1 ? Buffer.alloc(0) : data.subarray(end + 4);
      resolve({ status, ...(frame[0] === 0x88 && frame.length >= 4 ? { closeCode: frame.readUInt16BE(2) } : {}) });
    };
    const timer = setTimeout(done, ANSWER_MS);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const data = Buffer.concat(chunks);
      if (!data.toString('latin1').startsWith('HTTP/1.1 101') ? data.includes('\r\n\r\n') : data.subarray(data.indexOf('\r\n\r\n') + 4).length >= 4) done();
    });
    socket.on('error', done);
    socket.on('close', done);
  });
}
const KEY = 'sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==';
const HANDSHAKES: Array<[string[], string?]> = [
  [['upgrade: websocket', 'sec-websocket-version: 13', KEY]], [['upgrade: websocket', 'sec-websocket-version: 13', KEY, 'sec-websocket-protocol: graphql-ws']],
  [['upgrade: websocket', 'sec-websocket-version: 13', KEY, 'sec-websocket-protocol: x, y']], [['upgrade: websocket', 'sec-websocket-version: 12', KEY]],
  [['upgrade: websocket', 'sec-websocket-version: 13']], [['upgrade: websocket', 'sec-websocket-version: 13', 'sec-websocket-key: short']],
  [['upgrade: websocketx', 'sec-websocket-version: 13', KEY]], [['upgrade: websocket', 'sec-websocket-version: 13', KEY], '/graphql/'],
  [['upgrade: websocket', 'sec-websocket-version: 13', KEY], '/'], [['upgrade: websocket', 'sec-websocket-version: 13', KEY, 'origin: http://evil.example'], '/graphql'],
];
const handshakes: Category<[string[], string?]> = {
  name: 'handshakes that are no graphql-transport-ws',
  runs: 0,
  input: fc.constant(HANDSHAKES[0]!),
  examples: HANDSHAKES,
  probe: async (target, [headers, path]) => {
    const { status, closeCode } = await upgrade(target, headers, path);
    if (status === 101) return closeCode !== undefined && closeCode >= 4400 && closeCode <= 4499 ? [] : [`101, then close code ${closeCode ?? 'none'}`];
    return status >= 400 && status < 500 ? [] : [`the handshake got ${status || 'no answer'}`];
  },
};

describe('hostile graphql-ws traffic (NODE_ENV=production)', () => {
  let hostile: Hostile;
  beforeAll(async () => {
    hostile = await startHostile('websocket', { ALLOWED_ORIGINS: 'http://app.example' });
    await hostile.warmUp([...CATEGORIES, handshakes]);
  }, 180_000);
  afterAll(() => hostile.stop());

  it('closes with 4400 on a frame that is not JSON', () => hostile.check(CATEGORIES[0]), 60_000);
  it('closes with 4400 on a binary frame that is no message', () => hostile.check(CATEGORIES[1]), 60_000);
  it('closes with 1007 on a text frame that is not UTF-8', () => hostile.check(CATEGORIES[2]), 60_000);
  it('closes with 4400 on a message of an unknown type or a malformed one', () => hostile.check(CATEGORIES[3]), 60_000);
  it('closes with a client-fault code on a message only a server may send', () => hostile.check(CATEGORIES[4]), 60_000);
  it('closes with 4401 on subscribe before connection_init, 4429 on a second connection_init', () => hostile.check(CATEGORIES[5]), 60_000);
  it('runs nothing sent behind a second connection_init (4429)', () => hostile.check(CATEGORIES[6]), 60_000);
  it('ends an operation whose document does not parse with GRAPHQL_PARSE_FAILED, the socket open', () => hostile.check(CATEGORIES[7]), 60_000);
  it('ends an operation whose document does not validate with errors, the socket open', () => hostile.check(CATEGORIES[8]), 60_000);
  it('ends an operation whose variables do not fit with BAD_USER_INPUT, the socket open', () => hostile.check(CATEGORIES[9]), 60_000);
  it('ends an operation whose operationName matches nothing with a coded error, the socket open', () => hostile.check(CATEGORIES[10]), 60_000);
  it('answers huge ids, and refuses a duplicate id with 4409 whatever its length', () => hostile.check(CATEGORIES[11]), 60_000);
  it('refuses handshakes that are no graphql-transport-ws upgrade of /graphql', () => hostile.check(handshakes), 60_000);

  it('stays up, answers /healthz about as fast as when idle, never reaches TGI, and keeps its RSS within 20 %', async () => {
    expectSoundRun(await hostile.finish());
  });
});
