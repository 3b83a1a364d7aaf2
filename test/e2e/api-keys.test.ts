// API keys: when configured they are required for every GraphQL operation and
// REST route (HTTP, SSE, graphql-ws), never for the probes or GraphiQL's page;
// a key limited to some models is FORBIDDEN on the others.
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Simulator } from '../../src/simulator/index.ts';
import { startGateway, startSimulators } from './harness.ts';

const FULL = 'sk-full-0123456789abcdef';
const LIMITED = 'sk-limited-0123456789abc';
const FROM_FILE = 'sk-file-0123456789abcdef';
const HASHED = 'sk-hashed-0123456789abcd';
const GENERATE = (model: string) => `mutation { generate(input: {modelId: "${model}", prompt: "Hi", maxNewTokens: 2}) { generatedText } }`;

describe('API keys', () => {
  let simulators: Simulator[];
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  const generations = () => simulators.reduce((n, s) => n + (s.stats().requestsByRoute['POST /generate'] ?? 0), 0);

  beforeAll(async () => {
    simulators = await startSimulators(2);
    const file = join(mkdtempSync(join(tmpdir(), 'keys-')), 'keys');
    const hashed = createHash('sha256').update(HASHED).digest('hex');
    writeFileSync(file, `# operators' keys\n${FROM_FILE}\nsha256:${hashed}   other   # only the other model\n\n`);
    gateway = await startGateway({ SIM: [simulators[0]!], OTHER: [simulators[1]!] }, { API_KEYS: `${FULL}, ${LIMITED}:other`, API_KEYS_FILE: file });
  });
  afterAll(async () => {
    await gateway.app.stop(0);
    await Promise.all(simulators.map((s) => s.close()));
  });

  const graphql = (query: string, headers: Record<string, string> = {}) => fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  const codeOf = async (res: Response) => ((await res.json()) as { errors?: { extensions: { code: string } }[] }).errors?.[0]?.extensions.code;

  it('refuses GraphQL without a key or with an unknown one: 401 UNAUTHENTICATED, before anything runs', async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer sk-wrong-0123456789abcdef' }, { 'x-api-key': 'nope' }, { authorization: `Basic ${FULL}` }];
    for (const headers of attempts) {
      const res = await graphql(GENERATE('sim'), headers);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(await codeOf(res)).toBe('UNAUTHENTICATED');
    }
    expect(await codeOf(await graphql('{ __schema { queryType { name } } }'))).toBe('UNAUTHENTICATED');
    expect(generations()).toBe(0);
  });

  it('accepts a key as a bearer token or as x-api-key, from the environment or the file, plain or hashed', async () => {
    const accepted: Record<string, string>[] = [{ authorization: `Bearer ${FULL}` }, { 'x-api-key': FULL }, { authorization: `bearer ${FROM_FILE}` }];
    for (const headers of accepted) {
      const res = await graphql(GENERATE('sim'), headers);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ data: { generate: { generatedText: expect.any(String) } } });
    }
    expect((await graphql(GENERATE('other'), { 'x-api-key': HASHED })).status).toBe(200);
  });

  it('answers FORBIDDEN when a key is used on a model it does not allow (REST: 403)', async () => {
    const before = generations();
    expect(await codeOf(await graphql(GENERATE('sim'), { 'x-api-key': LIMITED }))).toBe('FORBIDDEN');
    expect(await codeOf(await graphql(GENERATE('sim'), { 'x-api-key': HASHED }))).toBe('FORBIDDEN');
    const rest = await fetch(`${gateway.url}/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': LIMITED },
      body: JSON.stringify({ model_id: 'sim', prompt: 'Hi', max_new_tokens: 2 }),
    });
    expect(rest.status).toBe(403);
    expect(await rest.json()).toEqual({ detail: 'this API key may not use model "sim"' });
    expect(generations()).toBe(before);
    expect(await codeOf(await graphql(GENERATE('other'), { 'x-api-key': LIMITED }))).toBeUndefined();
  });

  it('guards every REST route (401), but not the probes or GraphiQL\'s page', async () => {
    for (const path of ['/', '/models', '/models/sim/health']) {
      const res = await fetch(`${gateway.url}${path}`);
      expect(res.status, path).toBe(401);
      expect(await res.json()).toEqual({ detail: 'an API key is required: send it as "Authorization: Bearer <key>" or "x-api-key: <key>"' });
      expect((await fetch(`${gateway.url}${path}`, { headers: { 'x-api-key': FULL } })).status, path).toBe(200);
    }
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${gateway.url}/readyz`)).status).toBe(200);
    expect((await fetch(`${gateway.url}/graphql`, { headers: { accept: 'text/html' } })).status).toBe(200);
  });

  it('guards subscriptions over SSE', async () => {
    const sse = (headers: Record<string, string>) => fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
      body: JSON.stringify({ query: 'subscription { generateStream(input: {modelId: "sim", prompt: "Hi", maxNewTokens: 2}) { index } }' }),
    });
    expect((await sse({})).status).toBe(401);
    const ok = await sse({ authorization: `Bearer ${FULL}` });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('event: complete');
  });

  describe('over graphql-ws, in connection_init', () => {
    const run = (connectionParams: Record<string, unknown> | undefined) => new Promise<{ closed?: number; reason?: string; data?: unknown }>((resolve) => {
      const client = createClient({
        url: gateway.wsUrl,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        connectionParams,
        on: { closed: (event) => resolve({ closed: (event as { code: number }).code, reason: (event as { reason: string }).reason }) },
      });
      client.subscribe({ query: '{ info { name } }' }, {
        next: ({ data }) => resolve({ data }),
        error: () => undefined,
        complete: () => void client.dispose(),
      });
    });

    // 4401, which graphql-ws clients do not retry: with 4403 they retried for some 39 s before saying so.
    it('closes the socket with 4401 and a reason naming the API key when the key is missing or unknown', async () => {
      expect(await run(undefined)).toEqual({ closed: 4401, reason: expect.stringContaining('API key is required') });
      expect(await run({ authorization: 'Bearer sk-wrong-0123456789abcdef' })).toEqual({ closed: 4401, reason: 'the API key is not valid' });
      expect(await run({ apiKey: 42 })).toEqual({ closed: 4401, reason: expect.stringContaining('API key is required') });
    });

    it('is not retried by a graphql-ws client that retries', async () => {
      let connections = 0;
      const client = createClient({ url: gateway.wsUrl, webSocketImpl: WebSocket, retryAttempts: 5, retryWait: async () => undefined, on: { connected: () => connections++, opened: () => connections++ } });
      const failure = await new Promise<unknown>((resolve) => client.subscribe({ query: '{ info { name } }' }, { next: () => undefined, error: resolve, complete: () => undefined }));
      await client.dispose();
      expect((failure as { code: number }).code).toBe(4401);
      expect(connections).toBe(1);
    });

    it('accepts { authorization: "Bearer <key>" } and { apiKey }', async () => {
      expect(await run({ authorization: `Bearer ${FULL}` })).toEqual({ data: { info: { name: 'tgi-graphql-gateway' } } });
      expect(await run({ apiKey: FROM_FILE })).toEqual({ data: { info: { name: 'tgi-graphql-gateway' } } });
    });
  });
});
