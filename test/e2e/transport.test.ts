// One port for everything: probes, GraphQL over HTTP per the spec, GraphiQL
// served offline, CORS from ALLOWED_ORIGINS, WebSocket handshake origins.
import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startStack, type Stack } from './harness.ts';

describe('transport', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({}, { ALLOWED_ORIGINS: 'http://app.example' });
  });
  afterAll(() => stack.stop());

  it('answers /healthz and /readyz', async () => {
    expect(await (await fetch(`${stack.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${stack.url}/readyz`);
    expect(ready.status).toBe(200);
  });

  it('serves GraphiQL to browsers with every asset inline (no CDN)', async () => {
    const res = await fetch(`${stack.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('GraphiQL');
    expect(html).not.toMatch(/<script[^>]+src="https?:/);
    expect(html).not.toMatch(/<link[^>]+href="https?:/);
  });

  it('runs a query sent with GET and the CSRF header', async () => {
    const res = await fetch(`${stack.url}/graphql?query=${encodeURIComponent('{ info { name } }')}`, { headers: { accept: 'application/json', 'x-graphql-csrf': '1' } });
    expect(await res.json()).toEqual({ data: { info: { name: 'tgi-graphql-gateway' } } });
  });

  it('keeps a valid incoming x-request-id and makes one otherwise', async () => {
    const kept = await fetch(`${stack.url}/models`, { headers: { 'x-request-id': 'abc-123' } });
    expect(kept.headers.get('x-request-id')).toBe('abc-123');
    const made = await fetch(`${stack.url}/models`, { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers CORS preflights for allowed origins only', async () => {
    const preflight = (origin: string) => fetch(`${stack.url}/graphql`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    const allowed = await preflight('http://app.example');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://app.example');
    const other = await preflight('http://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('accepts WebSocket handshakes from allowed origins and its own, refuses others', async () => {
    const open = (origin: string) => new Promise<number | 'open'>((resolve) => {
      const socket = new WebSocket(stack.wsUrl, 'graphql-transport-ws', { origin });
      socket.once('open', () => {
        socket.close();
        resolve('open');
      });
      socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.once('error', () => undefined);
    });
    expect(await open('http://app.example')).toBe('open');
    expect(await open(stack.url.replace('localhost', '127.0.0.1'))).toBe('open');
    expect(await open('http://evil.example')).toBe(403);
  });

  it('names the request in parse errors, a fresh id each time (not one cached with the error)', async () => {
    const ids = [];
    for (const requestId of ['first-id', 'second-id']) {
      const res = await fetch(`${stack.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': requestId },
        body: '{"query":"{ info { "}',
      });
      const { errors } = (await res.json()) as { errors: { extensions: { requestId?: string } }[] };
      ids.push(errors[0]!.extensions.requestId);
    }
    expect(ids).toEqual(['first-id', 'second-id']);
  });

  it('leaves nothing behind for a subscription asked for as plain JSON (406)', async () => {
    const res = await fetch(`${stack.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: 'subscription { generateStream(input: {modelId: "sim", prompt: "x"}) { index } }' }),
    });
    expect(res.status).toBe(406);
    expect(stack.app.services.streams.size).toBe(0);
    expect(stack.simulators[0]!.stats().requestsByRoute['POST /generate_stream'] ?? 0).toBe(0);
  });

  it('answers unknown paths with 404 and a detail', async () => {
    const res = await fetch(`${stack.url}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ detail: 'Not Found' });
  });
});

describe('in production', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({}, { NODE_ENV: 'production' });
  });
  afterAll(() => stack.stop());

  it('hides field suggestions, which would reveal the schema', async () => {
    const res = await fetch(`${stack.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ modelz { id } }"}' });
    const { errors } = (await res.json()) as { errors: { message: string }[] };
    expect(errors[0]!.message).toBe('Cannot query field "modelz" on type "Query".');
  });

  it('hides them in variable errors too, which are BAD_USER_INPUT', async () => {
    const res = await fetch(`${stack.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'mutation($i: GenerateInput!) { generate(input: $i) { generatedText } }', variables: { i: { modelid: 'sim', prompt: 'x' } } }),
    });
    const { errors } = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(errors[0]!.message).not.toMatch(/Did you mean/);
    expect(errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
  });
});

describe('malformed requests, in production', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({}, { NODE_ENV: 'production' });
  });
  afterAll(() => stack.stop());

  it('answers GET parameters that are not JSON with 400 BAD_REQUEST, not 500', async () => {
    for (const param of ['variables=notjson', 'extensions={', 'variables=%7B%22a%22']) {
      const res = await fetch(`${stack.url}/graphql?query=${encodeURIComponent('{ info { name } }')}&${param}`, { headers: { 'x-graphql-csrf': '1' } });
      expect(res.status, param).toBe(400);
      const { errors } = (await res.json()) as { errors: { message: string; extensions: Record<string, unknown> }[] };
      expect(errors[0]!.extensions.code).toBe('BAD_REQUEST');
      expect(errors[0]!.message).toMatch(/not valid JSON/);
    }
  });

  it('sends no originalError, which would quote the body back', async () => {
    const res = await fetch(`${stack.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": "{ info' });
    const body = (await res.json()) as { errors: { extensions: Record<string, unknown> }[] };
    expect(body.errors[0]!.extensions).toEqual({ code: 'BAD_REQUEST', requestId: res.headers.get('x-request-id') });
  });
});

describe('GraphQL over HTTP audit (graphql-http)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.stop());

  // The audit is no browser: it sends the CSRF header that browsers cannot send cross-site unasked.
  const fetchFn: typeof fetch = (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set('x-graphql-csrf', '1');
    return fetch(input, { ...init, headers });
  };
  for (const audit of serverAudits({ url: () => `${stack.url}/graphql`, fetchFn })) {
    it(audit.name, async () => {
      const result = await audit.fn();
      // MUST requirements fail the test; SHOULD and MAY are advisory.
      if (result.status === 'error') throw new Error(result.reason);
    });
  }
});
