// Hostile inputs, HTTP requests: GET /graphql with query, variables,
// extensions and operationName that are not JSON, of the wrong type or do not
// match; GETs without the CSRF header; wrong methods (carrying generations);
// odd paths; bad x-request-id and traceparent headers. Sent as raw bytes.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { documents, RUNNABLE } from './documents.ts';
import { checkGraphQL, checkRest, expectSoundRun, startHostile, type Answer, type Category, type Hostile } from './hostile.ts';
import { pct, rawRequest } from './wire.ts';

const GENERATE = RUNNABLE.find((d) => d.startsWith('mutation Generate'))!;
const INFO = 'query Info { info { name } }';

const notJson = fc.oneof(fc.string({ minLength: 1, maxLength: 60 }), fc.constantFrom('{', "{'a':1}", 'undefined', 'NaN', '{"a":1', '[1,]', ' ', '{"a":1}}'))
  .filter((s) => { try { JSON.parse(s); return false; } catch { return true; } });
/** JSON that is no object (null, which means "none", excluded). */
const notObject = fc.jsonValue({ maxDepth: 3 }).filter((v) => v !== null && (typeof v !== 'object' || Array.isArray(v))).map((v) => JSON.stringify(v));
const ESCAPES = fc.constantFrom('%', '%zz', '%ED%A0%80', '%FF', '%00', '%2', '+', '%C0%AF');

/** A GET query string that cannot run: one broken parameter, maybe some junk besides. */
const getParams = fc.oneof(
  fc.tuple(fc.constantFrom('variables', 'extensions'), fc.oneof(notJson, notObject)).map(([key, value]) => `query=${pct(INFO)}&${key}=${pct(value)}`),
  fc.string({ minLength: 1, maxLength: 30 }).filter((name) => name !== 'Info').map((name) => `query=${pct(INFO)}&operationName=${pct(name)}`),
  fc.tuple(fc.oneof(documents.random, documents.truncated), fc.oneof(notJson, fc.constant('{}'))).map(([query, variables]) => `query=${pct(query)}&variables=${pct(variables)}`),
  fc.constantFrom(`query=${pct(GENERATE)}`, `query=${pct(GENERATE)}&operationName=Generate`, `query=${pct(GENERATE)}&variables=%7B%7D`),
  fc.array(ESCAPES, { minLength: 1, maxLength: 4 }).map((junk) => `query=${junk.join('')}&variables=${junk.join('')}`),
  fc.oneof(documents.random, ESCAPES).map((junk) => `query=${pct(junk)}&query=${pct(INFO)}`),
  fc.constantFrom('', 'query', 'query=', 'variables=%7B%7D', '&&&', '=x', `operationName=Info`),
);

const head = (method: string, target: string, headers: string[]) => `${method} ${target} HTTP/1.1\r\nhost: 127.0.0.1\r\n${headers.map((h) => `${h}\r\n`).join('')}connection: close\r\n\r\n`;
const judged = (answers: Answer[], judge: (a: Answer) => string[]) => answers.flatMap(judge);

const gets: Category<[string, 'json' | 'graphql-response', boolean]> = {
  name: 'GET parameters',
  runs: 450,
  input: fc.tuple(getParams, fc.constantFrom<'json' | 'graphql-response'>('json', 'graphql-response'), fc.boolean()),
  probe: async (target, [params, accept, csrf]) => judged(await rawRequest(target.port, head('GET', `/graphql?${params}`, [
    `accept: ${accept === 'json' ? 'application/json' : 'application/graphql-response+json'}`, ...(csrf ? ['x-graphql-csrf: 1'] : []),
  ])), (a) => checkGraphQL(a, target, accept)),
};

const BODY = { graphql: JSON.stringify({ query: GENERATE }), rest: JSON.stringify({ model_id: 'sim', prompt: 'Hi', max_new_tokens: 2 }) };
const PATHS = ['/graphql', '/generate', '/models', '/', '/models/sim/health', '/graphql?query=%7Binfo%7Bname%7D%7D'];
const METHODS = ['PUT', 'DELETE', 'PATCH', 'HEAD', 'PROPFIND', 'TRACE', 'FOO', 'get', 'Post', 'M-SEARCH', 'OPTIONS', 'POST\t', 'G\u00c9T'];
const methods = (name: string, list: string[]): Category<[string, string]> => ({
  name,
  runs: 0,
  input: fc.constant(['PUT', '/graphql']),
  examples: list.flatMap((m) => PATHS.map((p): [string, string] => [m, p])),
  probe: async (target, [method, path]) => {
    const body = path === '/generate' ? BODY.rest : BODY.graphql;
    const request = head(method, path, ['content-type: application/json', 'x-graphql-csrf: 1', `content-length: ${Buffer.byteLength(body)}`]) + body;
    return judged(await rawRequest(target.port, Buffer.from(request, 'latin1')), (a) => checkGraphQL(a, target, 'graphql-response'));
  },
});

const ROUTES = new Set(['/', '/models', '/healthz', '/readyz', '/graphql', '/metrics', '/playground']);
/** Whether the gateway routes this request-target somewhere that answers 200 (its own path rule, then REST's decoding). */
function routed(target: string): boolean {
  const path = target.split('?', 1)[0] || '/';
  const health = /^\/models\/([^/]+)\/health$/.exec(path)?.[1];
  const decode = (s: string) => { try { return decodeURIComponent(s); } catch { return s; } };
  return ROUTES.has(path) || (health !== undefined && decode(health) === 'sim');
}
const ODD = ['/graphql/', '//graphql', '/GRAPHQL', '/graphql%00', '/graphql/..', '/./graphql', '/graphql;x', '/%67raphql', '*', 'http://evil.example/graphql',
  '/graphql#x', '/models/', '/models/sim', '/models/sim/health/', '/models//health', '/generate/', '/..', `/${'a'.repeat(20_000)}`, '/models/%/health', '/graphql\u0000'];
const oddPaths: Category<string> = {
  name: 'odd paths',
  runs: 300,
  examples: ODD,
  input: fc.oneof(
    fc.array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 12 }).map(pct), ESCAPES, fc.constantFrom('graphql', 'models', 'sim', 'health', '..', '.', '')), { minLength: 1, maxLength: 5 })
      .map((segments) => `/${segments.join('/')}`),
    fc.string({ unit: 'grapheme-ascii', maxLength: 40 }).filter((s) => !/[\s]/.test(s)).map((s) => `/${s}`),
  ).filter((t) => !routed(t)),
  probe: async (target, path) => judged(await rawRequest(target.port, Buffer.from(head('GET', path, ['accept: application/json', 'x-graphql-csrf: 1']), 'latin1')),
    (a) => checkGraphQL(a, target, 'graphql-response')),
};

const REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;
const BAD_IDS = ['x'.repeat(129), 'x'.repeat(10_000), 'a b', '\u00fc\u00e9', '', '<script>', 'id\ttab', '../../etc/passwd', '\u0001', 'ok\r\nx-evil: 1'];
const BAD_TRACES = ['ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', '00-00000000000000000000000000000000-b7ad6b7169203331-01',
  '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01', '00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01x', `00-${'f'.repeat(5000)}`, '--', '\u00ff'];
const badHeaders: Category<[string[], 'graphql' | 'rest']> = {
  name: 'bad x-request-id and traceparent headers',
  runs: 200,
  input: fc.tuple(fc.array(fc.oneof(
    fc.oneof(fc.constantFrom(...BAD_IDS), fc.string({ unit: 'grapheme-ascii', maxLength: 200 })).filter((v) => !REQUEST_ID.test(v)).map((v) => `x-request-id: ${v}`),
    fc.oneof(fc.constantFrom(...BAD_TRACES), fc.string({ unit: 'grapheme-ascii', maxLength: 80 })).map((v) => `traceparent: ${v}`),
  ), { minLength: 1, maxLength: 3 }), fc.constantFrom<'graphql' | 'rest'>('graphql', 'rest')),
  probe: async (target, [headers, route]) => {
    const [path, body] = route === 'graphql' ? ['/graphql', '{"query":"{ nope }"}'] : ['/generate', '{"model_id":"sim"}'];
    const bytes = Buffer.from(head('POST', path, ['content-type: application/json', `content-length: ${body.length}`, ...headers]) + body, 'latin1');
    return judged(await rawRequest(target.port, bytes), (a) => [...(route === 'graphql' ? checkGraphQL(a, target, 'json') : checkRest(a, target)), ...requestIdProblems(a)]);
  },
};

/** The answer names its request with a sane id (never the bad one it was sent), in the header and in every error. */
function requestIdProblems(answer: Answer): string[] {
  if (answer.status <= 0 || answer.body === '') return []; // refused by Node's HTTP parser, before the gateway
  const id = answer.headers['x-request-id'];
  if (id === undefined || !REQUEST_ID.test(id)) return [`x-request-id ${JSON.stringify(id)} is not a sane id`];
  const errors = (JSON.parse(answer.body) as { errors?: { extensions?: { requestId?: unknown } }[] }).errors ?? [];
  return errors.filter((e) => e.extensions?.requestId !== id).map((e) => `requestId ${JSON.stringify(e.extensions?.requestId)} differs from x-request-id ${id}`);
}

const CATEGORIES = [gets, methods('wrong methods', METHODS), methods('CONNECT', ['CONNECT']), oddPaths, badHeaders] as const;

describe('hostile HTTP requests (NODE_ENV=production)', () => {
  let hostile: Hostile;
  beforeAll(async () => {
    hostile = await startHostile('http-requests');
    await hostile.warmUp(CATEGORIES);
  }, 180_000);
  afterAll(() => hostile.stop());

  it('refuses GETs whose parameters are not JSON, of the wrong type, do not match, or lack x-graphql-csrf', () => hostile.check(CATEGORIES[0]), 60_000);
  it('refuses every other method, generations in their bodies included, on every route', () => hostile.check(CATEGORIES[1]), 60_000);
  it('answers CONNECT with a client error too', () => hostile.check(CATEGORIES[2]), 60_000);
  it('answers odd paths with a client error', () => hostile.check(CATEGORIES[3]), 60_000);
  it('ignores bad x-request-id and traceparent headers (a fresh request id instead)', () => hostile.check(CATEGORIES[4]), 60_000);

  it('stays up, answers /healthz about as fast as when idle, never reaches TGI, and keeps its RSS within 20 %', async () => {
    expectSoundRun(await hostile.finish());
  });
});

