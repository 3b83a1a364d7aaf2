// JSON built to be cheap to send and dear to process: an input variable with
// tens of thousands of unknown keys (graphql-js writes the whole object into
// each of up to 50 error messages), arrays nested thousands deep (coerced
// recursively). Refused by their shape before they are parsed into objects,
// on every way JSON reaches the gateway, with an answer of a few hundred bytes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { alive, slowestHealthzDuring, startGatewayProcess, type GatewayProcess } from './gateway-process.ts';

const GENERATE = 'mutation($i: GenerateInput!) { generate(input: $i) { generatedText } }';

/** An input with `n` keys its type does not have (over 10,000: MAX_JSON_KEYS). */
const manyKeys = (n: number) => ({ modelId: 'simulator', prompt: 'x', ...Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 1])) });
/** `[[[…1…]]]`, `depth` levels deep (over 64: MAX_JSON_DEPTH). */
const nested = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

interface Answer {
  status: number;
  bytes: number;
  text: string;
}

async function send(url: string, init: RequestInit): Promise<Answer> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  return { status: res.status, bytes: Buffer.byteLength(text), text };
}

const postJson = (url: string, body: string) => send(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

function expectRefused(answer: Answer, code = 'BAD_USER_INPUT'): void {
  expect(answer.status, answer.text.slice(0, 300)).toBe(400);
  expect(answer.bytes).toBeLessThan(1024);
  expect(answer.text).toContain(`"code":"${code}"`);
}

describe('JSON shaped to be dear to process', () => {
  let gateway: GatewayProcess;
  beforeAll(async () => {
    gateway = await startGatewayProcess({ NODE_ENV: 'production' });
  });
  afterAll(() => gateway.stop());

  it('an input variable with more than MAX_JSON_KEYS keys is refused before graphql-js sees it', async () => {
    const body = JSON.stringify({ query: GENERATE, variables: { i: manyKeys(30_000) } });
    let answer: Answer | undefined;
    const healthz = await slowestHealthzDuring(gateway, async () => {
      answer = await postJson(gateway.url, body);
    });
    expectRefused(answer!);
    expect(answer!.text).toContain('more than 10000 object keys');
    expect(alive(gateway)).toBe(true);
    expect(healthz.slowest).toBeLessThan(healthz.allowed);
    console.info(`30,000 unknown keys (${body.length} bytes): slowest /healthz ${healthz.slowest.toFixed(0)} ms (idle ${healthz.baseline.toFixed(0)} ms)`);
  });

  it('variables nested deeper than MAX_JSON_DEPTH are refused, on the common POST', async () => {
    const body = `{"query":"{ __typename }","variables":{"a":${nested(100_000)}}}`;
    const healthz = await slowestHealthzDuring(gateway, async () => expectRefused(await postJson(gateway.url, body)));
    expect(healthz.slowest).toBeLessThan(healthz.allowed);
    console.info(`variables 100,000 deep (${body.length} bytes): slowest /healthz ${healthz.slowest.toFixed(0)} ms (idle ${healthz.baseline.toFixed(0)} ms)`);
  });

  it('a body nested deeper than MAX_JSON_DEPTH is refused, JSON or not', async () => {
    expectRefused(await postJson(gateway.url, nested(400_000)));
    expectRefused(await postJson(gateway.url, '['.repeat(800_000)));
  });

  it('the same shapes are refused in a GET query string and a form post', async () => {
    const variables = JSON.stringify({ a: JSON.parse(nested(200)) as unknown });
    const get = await send(`${gateway.url}/graphql?query=${encodeURIComponent('{ __typename }')}&variables=${encodeURIComponent(variables)}`, { headers: { 'x-graphql-csrf': '1' } });
    expectRefused(get);
    const form = new URLSearchParams({ query: '{ __typename }', variables });
    expectRefused(await send(`${gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-graphql-csrf': '1' }, body: form.toString() }));
    // (A GET cannot carry 10,000 keys: node:http refuses a URL past 16 KiB with 431.)
    const keys = new URLSearchParams({ query: GENERATE, variables: JSON.stringify({ i: manyKeys(20_000) }) });
    expectRefused(await send(`${gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-graphql-csrf': '1' }, body: keys.toString() }));
  });

  it('and in a REST body', async () => {
    const deep = await send(`${gateway.url}/generate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"model":"simulator","inputs":"x","parameters":${nested(1000)}}` });
    expect(deep.status).toBe(400);
    expect(deep.bytes).toBeLessThan(1024);
    const keys = await send(`${gateway.url}/generate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(manyKeys(20_000)) });
    expect(keys.status).toBe(400);
  });

  it('JSON within the limits is answered as before', async () => {
    const body = `{"query":"{ __typename }","variables":{"a":${nested(60)}}}`;
    const answer = await postJson(gateway.url, body);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ data: { __typename: 'Query' } });
    // A colon or bracket inside a string is text, not structure.
    const text = await postJson(gateway.url, JSON.stringify({ query: '{ __typename }', variables: { s: `${'[{'.repeat(200)}${':'.repeat(20_000)}\\"` } }));
    expect(text.status).toBe(200);
  });

  it('an input with unknown keys within MAX_JSON_KEYS is refused at the first one, without echoing the rest', async () => {
    const body = JSON.stringify({ query: GENERATE, variables: { i: manyKeys(9_000) } });
    const answer = await postJson(gateway.url, body);
    // A variable that does not fit its type: 200 under application/json (GraphQL over HTTP).
    expect(answer.status).toBe(200);
    expect(answer.bytes).toBeLessThan(1024);
    expect(answer.text).toContain('"code":"BAD_USER_INPUT"');
    expect(answer.text).toContain('Field \\"k0\\" is not defined by type \\"GenerateInput\\"');
  });

  it('variables over graphql-ws are held to the same limits', async () => {
    const socket = new WebSocket(`${gateway.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
    const messages: { type: string; payload?: unknown }[] = [];
    socket.on('message', (data) => messages.push(JSON.parse(String(data)) as (typeof messages)[number]));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init' }));
    const until = async (type: string) => {
      for (let i = 0; i < 200 && !messages.some((m) => m.type === type); i++) await new Promise((r) => setTimeout(r, 25));
      return messages.find((m) => m.type === type);
    };
    await until('connection_ack');
    socket.send(`{"id":"1","type":"subscribe","payload":{"query":"{ __typename }","variables":{"a":${nested(100)}}}}`);
    // A query's result, errors included, comes as `next`.
    const refused = (await until('next')) as { payload?: { errors?: { message: string; extensions?: { code: string } }[] } } | undefined;
    socket.terminate();
    expect(refused?.payload?.errors?.[0]?.message, JSON.stringify(messages).slice(0, 500)).toContain('deeper than 64');
    expect(refused?.payload?.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('a large body handed from the fast path to yoga costs about what it weighs (it once cost an index string per byte)', async () => {
    const median = async (body: string) => {
      const times: number[] = [];
      for (let i = 0; i < 7; i++) {
        const started = performance.now();
        expectRefused(await postJson(gateway.url, body));
        times.push(performance.now() - started);
      }
      return times.sort((a, b) => a - b)[3]!;
    };
    const small = await median('['.repeat(1000));
    const large = await median('['.repeat(800_000));
    console.info(`refused bodies, median: 1 KB ${small.toFixed(1)} ms, 800 KB ${large.toFixed(1)} ms`);
    // Sending and scanning 800 KB is a few ms on loopback; 800,000 index strings were hundreds.
    expect(large).toBeLessThan(Math.max(6 * small, 60));
  });
});
