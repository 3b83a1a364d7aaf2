// The OpenAI-compatible API (/v1) holds to the gateway's protection as every
// other surface does: the same API keys (and never the upstream's), the same
// rate limits counted together with GraphQL's, CORS, the JSON-only body with
// its limits, request ids, and metrics and access log lines that say the
// request came by the OpenAI API. The official `openai` SDK is the client.
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/simulator/index.ts';
import { ChatStreamDocument } from '../gql/graphql.ts';
import { wsClient } from './clients.ts';
import { eventually, settled, startSimulators } from './harness.ts';
import { startLoggedGateway } from './protocols.ts';

const ALL = 'sk-every-model-0123456789';
const LIMITED = 'sk-only-other-0123456789';
const UPSTREAM_KEY = 'sk-upstream-secret-9876543210';
const MESSAGES = [{ role: 'user' as const, content: 'Tell me about GPUs' }];
const GENERATE = 'mutation { generate(input: {modelId: "pool", prompt: "Hi", maxNewTokens: 2}) { generatedText } }';

type Gateway = Awaited<ReturnType<typeof startLoggedGateway>>;

const sdk = (gateway: Gateway, apiKey = ALL) => new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey, maxRetries: 0 });
const caught = (promise: Promise<unknown>) => promise.then(() => undefined, (e: unknown) => e as InstanceType<typeof OpenAI.APIError>);

async function graphqlCode(gateway: Gateway, key = ALL): Promise<string | undefined> {
  const res = await fetch(`${gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ query: GENERATE }) });
  const { errors } = (await res.json()) as { errors?: { extensions: { code: string } }[] };
  return errors?.[0]?.extensions.code;
}

const sample = (text: string, series: string): number => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
};

describe('keys on /v1', () => {
  let sims: Simulator[];
  let gateway: Gateway;
  beforeAll(async () => {
    sims = await startSimulators(1, { apiKey: UPSTREAM_KEY });
    gateway = await startLoggedGateway({ POOL: sims, OTHER: sims }, { API_KEYS: `${ALL},${LIMITED}:other`, TGI_POOL_API_KEY: UPSTREAM_KEY, TGI_OTHER_API_KEY: UPSTREAM_KEY });
  });
  afterEach(() => settled(gateway.app, sims));
  afterAll(async () => {
    await gateway.app.stop(0);
    await Promise.all(sims.map((s) => s.close()));
  });

  it('an unknown key is 401 invalid_api_key (AuthenticationError), on every route; a missing one too', async () => {
    const openai = sdk(gateway, 'sk-wrong-key-000000000');
    for (const call of [openai.models.list(), openai.chat.completions.create({ model: 'pool', messages: MESSAGES }), openai.completions.create({ model: 'pool', prompt: 'Hi' })]) {
      const error = await caught(call);
      expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
      expect(error).toMatchObject({ status: 401, code: 'invalid_api_key', type: 'invalid_request_error' });
    }
    // The SDK will not send a request without a key.
    const missing = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'pool', messages: MESSAGES }) });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    expect(await missing.json()).toEqual({ error: { message: expect.stringMatching(/API key/), type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
  });

  it("the upstream's own key is never accepted from a client, nor shown in any answer", async () => {
    const error = await caught(sdk(gateway, UPSTREAM_KEY).chat.completions.create({ model: 'pool', messages: MESSAGES }));
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    sims[0]!.setFaults({ httpStatus: 500, times: 3 });
    const failed = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ALL}` }, body: JSON.stringify({ model: 'pool', messages: MESSAGES }) });
    expect(failed.status).toBeGreaterThanOrEqual(500);
    expect(await failed.text()).not.toMatch(new RegExp(`${UPSTREAM_KEY}|127\\.0\\.0\\.1`));
    sims[0]!.clearFaults();
  });

  it('a key limited to some models lists and retrieves only those, and is 403 on the others (PermissionDeniedError)', async () => {
    const openai = sdk(gateway, LIMITED);
    expect((await openai.models.list()).data.map((m) => m.id)).toEqual(['other']);
    expect((await sdk(gateway).models.list()).data.map((m) => m.id).sort()).toEqual(['other', 'pool']);
    expect(await caught(openai.models.retrieve('pool'))).toBeInstanceOf(OpenAI.NotFoundError);
    const error = await caught(openai.chat.completions.create({ model: 'pool', messages: MESSAGES, max_tokens: 2 }));
    expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(error).toMatchObject({ status: 403, param: 'model' });
    const answer = await openai.chat.completions.create({ model: 'other', messages: MESSAGES, max_tokens: 2 });
    expect(answer.choices[0]!.message.content!.length).toBeGreaterThan(0);
  });

  it('x-request-id is kept (or made) and returned, and the metrics and access log carry transport="openai"', async () => {
    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ALL}`, 'x-request-id': 'v1-req-1' },
      body: JSON.stringify({ model: 'pool', messages: MESSAGES, max_tokens: 2 }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('v1-req-1');
    const made = await fetch(`${gateway.url}/v1/models`, { headers: { authorization: `Bearer ${ALL}` } });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    const stream = await sdk(gateway).chat.completions.create({ model: 'pool', messages: MESSAGES, max_tokens: 2, stream: true });
    for await (const _chunk of stream);
    await sdk(gateway).completions.create({ model: 'pool', prompt: 'Hi', max_tokens: 2 });
    // The SDK reads the request id of a failure from x-request-id.
    const refused = await caught(sdk(gateway, 'sk-wrong-key-000000000').models.list());
    expect(refused!.requestID).toMatch(/^[0-9a-f-]{36}$/);

    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    const requests = (operation: string) => `tgi_gateway_requests_total{model="pool",protocol="tgi",operation="${operation}",transport="openai",code="OK"}`;
    expect(sample(metrics, requests('chat'))).toBeGreaterThanOrEqual(1);
    expect(sample(metrics, requests('chatStream'))).toBe(1);
    expect(sample(metrics, requests('generate'))).toBe(1);
    expect(sample(metrics, 'tgi_gateway_refused_requests_total{transport="openai",code="UNAUTHENTICATED"}')).toBeGreaterThanOrEqual(1);

    await eventually(() => gateway.log().includes('"requestId":"v1-req-1"'), 2000, 'the access log line');
    const line = gateway.log().split('\n').find((l) => l.includes('"requestId":"v1-req-1"') && l.includes('generation finished'))!;
    expect(JSON.parse(line)).toMatchObject({ transport: 'openai', operation: 'chat', code: 'OK', model: 'pool' });
  });
});

describe('rate limits on /v1, counted with the other surfaces', () => {
  let sims: Simulator[];
  let gateway: Gateway;
  afterEach(async () => {
    await settled(gateway.app, sims);
    await gateway.app.stop(0);
    await Promise.all(sims.map((s) => s.close()));
  });
  const start = async (env: Record<string, string>) => {
    sims = await startSimulators(1);
    gateway = await startLoggedGateway({ POOL: sims }, { API_KEYS: ALL, ...env });
  };

  it('RATE_LIMIT_RPM: one unit per request, shared with GraphQL; past it 429 rate_limit_exceeded with Retry-After (RateLimitError)', async () => {
    await start({ RATE_LIMIT_RPM: '3' });
    const openai = sdk(gateway);
    await openai.chat.completions.create({ model: 'pool', messages: MESSAGES, max_tokens: 2 });
    const stream = await openai.chat.completions.create({ model: 'pool', messages: MESSAGES, max_tokens: 2, stream: true });
    for await (const _chunk of stream);
    expect(await graphqlCode(gateway)).toBeUndefined();
    const error = await caught(openai.completions.create({ model: 'pool', prompt: 'Hi', max_tokens: 2 }));
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error).toMatchObject({ status: 429, code: 'rate_limit_exceeded', type: 'rate_limit_error' });
    expect(Number(error!.headers?.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await graphqlCode(gateway)).toBe('RATE_LIMITED');
  });

  it('RATE_LIMIT_TPM counts the tokens generated over /v1', async () => {
    await start({ RATE_LIMIT_TPM: '20' });
    const stream = await sdk(gateway).chat.completions.create({ model: 'pool', messages: MESSAGES, max_tokens: 24, stream: true });
    for await (const _chunk of stream);
    expect(await graphqlCode(gateway)).toBe('RATE_LIMITED');
    expect(await caught(sdk(gateway).chat.completions.create({ model: 'pool', messages: MESSAGES, max_tokens: 2 }))).toBeInstanceOf(OpenAI.RateLimitError);
  });

  it('MAX_CONCURRENT_STREAMS counts generations open on /v1 and on GraphQL together', async () => {
    await start({ MAX_CONCURRENT_STREAMS: '1' });
    sims[0]!.setTiming({ timePerTokenMs: 20 });
    // A /v1 stream open: GraphQL is refused.
    const stream = await sdk(gateway).chat.completions.create({ model: 'pool', messages: MESSAGES, max_tokens: 50, stream: true });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    expect(await graphqlCode(gateway)).toBe('RATE_LIMITED');
    stream.controller.abort();
    await settled(gateway.app, sims);
    // A GraphQL stream open: /v1 is refused.
    const client = wsClient(gateway.wsUrl, { connectionParams: { authorization: `Bearer ${ALL}` } });
    const first = new Promise<void>((resolve) => {
      client.subscribe({ query: ChatStreamDocument.toString(), variables: { input: { modelId: 'pool', messages: [{ role: 'USER', content: 'Hi' }], maxTokens: 50 } } }, { next: () => resolve(), error: () => resolve(), complete: () => resolve() });
    });
    await first;
    const error = await caught(sdk(gateway).chat.completions.create({ model: 'pool', messages: MESSAGES, max_tokens: 2 }));
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    await client.dispose();
  });
});

describe('requests on /v1', () => {
  let sims: Simulator[];
  let gateway: Gateway;
  beforeAll(async () => {
    sims = await startSimulators(1);
    gateway = await startLoggedGateway({ POOL: sims }, { ALLOWED_ORIGINS: 'http://app.example', MAX_REQUEST_BYTES: '4096', MAX_JSON_DEPTH: '8' });
  });
  afterEach(() => settled(gateway.app, sims));
  afterAll(async () => {
    await gateway.app.stop(0);
    await Promise.all(sims.map((s) => s.close()));
  });
  const chat = (init: RequestInit & { headers?: Record<string, string> }) =>
    fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', ...init, headers: { 'content-type': 'application/json', ...init.headers } });

  it('a browser at an allowed origin may call /v1: its preflight is answered and its answer carries CORS headers', async () => {
    const preflight = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: { origin: 'http://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://app.example');
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    const res = await chat({ headers: { origin: 'http://app.example' }, body: JSON.stringify({ model: 'pool', messages: MESSAGES, max_tokens: 2 }) });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://app.example');
    // What the openai SDK adds in a browser is allowed too.
    const sdkHeaders = ['x-stainless-os', 'x-stainless-lang', 'x-stainless-arch', 'x-stainless-runtime', 'x-stainless-runtime-version', 'x-stainless-package-version', 'x-stainless-retry-count', 'x-stainless-timeout'];
    const sdk = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: { origin: 'http://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': ['authorization', 'content-type', ...sdkHeaders].join(',') },
    });
    const allowed = sdk.headers.get('access-control-allow-headers')!.split(', ');
    expect(allowed).toEqual(expect.arrayContaining(sdkHeaders));
    const other = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } });
    expect(other.status).toBe(403);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('a body a cross-site form could send (not application/json) is refused before any generation', async () => {
    const before = sims[0]!.stats().requestsByRoute['POST /v1/chat/completions'] ?? 0;
    const res = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ model: 'pool', messages: MESSAGES }) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
    expect(sims[0]!.stats().requestsByRoute['POST /v1/chat/completions'] ?? 0).toBe(before);
  });

  it('a body past MAX_REQUEST_BYTES is 413, one nested past MAX_JSON_DEPTH 400, both in OpenAI\'s shape', async () => {
    const large = await chat({ body: JSON.stringify({ model: 'pool', messages: [{ role: 'user', content: 'x'.repeat(5000) }] }) });
    expect(large.status).toBe(413);
    expect(await large.json()).toMatchObject({ error: { code: 'request_too_large', type: 'invalid_request_error' } });
    const deep = await chat({ body: JSON.stringify({ model: 'pool', messages: MESSAGES, user: [[[[[[[[[['x']]]]]]]]]] }) });
    expect(deep.status).toBe(400);
    expect(await deep.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
  });
});

describe('/v1 during a shutdown', () => {
  it('refuses new requests with 503 gateway_shutting_down, and cuts a stream still running at the deadline with one error event', async () => {
    const sims = await startSimulators(1, { timePerTokenMs: 20 });
    const gateway = await startLoggedGateway({ POOL: sims });
    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'pool', messages: MESSAGES, max_tokens: 500, stream: true }),
    });
    const reader = res.body!.getReader();
    await reader.read(); // the stream is under way
    const stopped = gateway.app.stop(300);
    const refused = await caught(sdk(gateway).chat.completions.create({ model: 'pool', messages: MESSAGES, max_tokens: 2 }));
    expect(refused).toBeInstanceOf(OpenAI.InternalServerError);
    expect(refused).toMatchObject({ status: 503, code: 'gateway_shutting_down' });
    let text = '';
    for (let read = await reader.read(); !read.done; read = await reader.read()) text += new TextDecoder().decode(read.value);
    const events = text.split('\n\n').filter((e) => e !== '');
    expect(events.at(-1)).not.toContain('[DONE]');
    expect(JSON.parse(events.at(-1)!.replace(/^data: /, ''))).toMatchObject({ error: { code: 'gateway_shutting_down', type: 'server_error' } });
    await stopped;
    expect(sims[0]!.stats()).toMatchObject({ activeStreams: 0, abortedStreams: 1, tokensAfterAbort: 0 });
    await sims[0]!.close();
  });
});
