// One request, one generation: an operation may not multiply its GPU cost with
// aliases or fragments (MAX_GENERATIONS_PER_OPERATION, 1 by default), over
// HTTP and WebSocket alike, and nothing reaches TGI when it tries.
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { alive, slowestHealthzDuring, startGatewayBeside } from './gateway-process.ts';

const generate = (alias: string) => `${alias}: generate(input: {modelId: "sim", prompt: "Hi", maxNewTokens: 2}) { generatedText }`;
const TWENTY = `mutation { ${Array.from({ length: 20 }, (_, i) => generate(`g${i}`)).join(' ')} }`;
const BY_FRAGMENTS = `mutation { ...A ...B ... on Mutation { ...A } }
  fragment A on Mutation { ${generate('a')} }
  fragment B on Mutation { ${generate('b')} }`;

interface Answer { data?: Record<string, unknown> | null; errors?: { message: string; extensions: { code: string } }[] }

async function post(url: string, query: string): Promise<Answer> {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  return (await res.json()) as Answer;
}

async function overWebSocket(url: string, query: string): Promise<unknown> {
  const client = createClient({ url: `${url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0 });
  try {
    return await new Promise((resolve) => {
      client.subscribe({ query }, { next: resolve, error: resolve, complete: () => undefined });
    });
  } finally {
    await client.dispose();
  }
}

describe('generations per operation', () => {
  let gateway: Awaited<ReturnType<typeof startGatewayBeside>>;
  const unaryCalls = () => gateway.simulator.stats().requestsByRoute['POST /generate'] ?? 0;
  beforeAll(async () => {
    gateway = await startGatewayBeside();
  });
  afterAll(() => gateway.stop());

  it('refuses twenty aliased generate fields over HTTP, before any upstream call', async () => {
    const { data, errors } = await post(gateway.url, TWENTY);
    expect(data).toBeUndefined();
    expect(errors![0]!.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(errors![0]!.message).toBe('An operation may start at most 1 generation; this one asks for 20. Send one request per generation.');
    expect(unaryCalls()).toBe(0);
  });

  it('counts generations reached through fragments', async () => {
    const { errors } = await post(gateway.url, BY_FRAGMENTS);
    expect(errors![0]!.message).toMatch(/asks for 2\./);
    expect(unaryCalls()).toBe(0);
  });

  it('refuses them over graphql-ws too', async () => {
    const errors = (await overWebSocket(gateway.url, TWENTY)) as { message: string; extensions: { code: string } }[];
    expect(errors[0]!.message).toMatch(/at most 1 generation; this one asks for 20/);
    expect(errors[0]!.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(unaryCalls()).toBe(0);
  });

  it('runs one generation, and a field repeated under one name once', async () => {
    const { data } = await post(gateway.url, `mutation { ${generate('g')} ${generate('g')} }`);
    expect(data).toMatchObject({ g: { generatedText: expect.any(String) } });
    expect(unaryCalls()).toBe(1);
  });

  it('stays up and flat under a storm of them', async () => {
    const rssAtStart = await gateway.rssAfterGc();
    const healthz = await slowestHealthzDuring(gateway, async () => {
      for (let i = 0; i < 50; i++) await Promise.all([post(gateway.url, TWENTY), post(gateway.url, BY_FRAGMENTS), overWebSocket(gateway.url, TWENTY)]);
    });
    expect(alive(gateway)).toBe(true);
    expect(healthz.slowest, `slowest /healthz (idle: ${healthz.baseline.toFixed(0)} ms)`).toBeLessThan(healthz.allowed);
    expect(await gateway.rssAfterGc()).toBeLessThan(rssAtStart * 1.2);
    expect(unaryCalls()).toBe(1);
  });
});

const chat = (alias: string) => `${alias}: chat(input: {modelId: "sim", messages: [{role: USER, content: "Hi"}], maxTokens: 2}) { message { content } }`;
/** Fifteen aliases and one bare field: within MAX_DOCUMENT_ALIASES, so only the generation count can refuse it. */
const SIXTEEN_CHATS = `mutation { ${chat('chat').slice('chat: '.length)} ${Array.from({ length: 15 }, (_, i) => chat(`c${i}`)).join(' ')} }`;

describe('every field that starts a generation counts', () => {
  let gateway: Awaited<ReturnType<typeof startGatewayBeside>>;
  const upstreamCalls = () => Object.entries(gateway.simulator.stats().requestsByRoute)
    .filter(([route]) => route.startsWith('POST '))
    .reduce((sum, [, n]) => sum + n, 0);
  beforeAll(async () => {
    gateway = await startGatewayBeside();
  });
  afterAll(() => gateway.stop());

  it('refuses sixteen aliased chat fields, before any upstream call', async () => {
    const { data, errors } = await post(gateway.url, SIXTEEN_CHATS);
    expect(data).toBeUndefined();
    expect(errors![0]!.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(errors!.map((e) => e.message)).toEqual(['An operation may start at most 1 generation; this one asks for 16. Send one request per generation.']);
    expect(upstreamCalls()).toBe(0);
  });

  it('counts chat with generate, over graphql-ws too', async () => {
    expect((await post(gateway.url, `mutation { ${chat('c')} ${generate('g')} }`)).errors![0]!.message).toMatch(/asks for 2\./);
    const errors = (await overWebSocket(gateway.url, SIXTEEN_CHATS)) as { message: string }[];
    expect(errors[0]!.message).toMatch(/at most 1 generation; this one asks for 16/);
    expect(upstreamCalls()).toBe(0);
  });

  it('runs one chat', async () => {
    const { data } = await post(gateway.url, `mutation { ${chat('c')} }`);
    expect(data).toMatchObject({ c: { message: { content: expect.any(String) } } });
    expect(upstreamCalls()).toBe(1);
  });
});

describe('MAX_GENERATIONS_PER_OPERATION', () => {
  it('raises the limit for operators who batch on purpose', async () => {
    const gateway = await startGatewayBeside({ MAX_GENERATIONS_PER_OPERATION: '3' });
    try {
      const { data } = await post(gateway.url, `mutation { ${generate('a')} ${generate('b')} ${generate('c')} }`);
      expect(Object.keys(data!)).toEqual(['a', 'b', 'c']);
      expect((await post(gateway.url, TWENTY)).errors![0]!.message).toMatch(/at most 3 generations; this one asks for 20/);
    } finally {
      await gateway.stop();
    }
  });
});
