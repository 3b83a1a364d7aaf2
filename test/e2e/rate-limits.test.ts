// Rate limits per caller (API key, else client address) over a sliding minute:
// generation operations (RATE_LIMIT_RPM), generated tokens (RATE_LIMIT_TPM,
// charged as they stream, abandoned streams included) and generations open at
// once (MAX_CONCURRENT_STREAMS). RATE_LIMITED with retryAfterSeconds; REST 429.
import { afterEach, describe, expect, it } from 'vitest';
import { collectWs, wsClient } from './clients.ts';
import { GenerateStreamDocument } from '../gql/graphql.ts';
import { eventually, settled, startStack, type Stack } from './harness.ts';

const KEY_A = 'sk-aaaaaaaaaaaaaaaa';
const KEY_B = 'sk-bbbbbbbbbbbbbbbb';
const GENERATE = 'mutation { generate(input: {modelId: "sim", prompt: "Hi", maxNewTokens: 2}) { generatedText } }';

interface Answer { status: number; retryAfter: string | null; code?: string; retryAfterSeconds?: number; message?: string }

async function generate(stack: Stack, key?: string): Promise<Answer> {
  const res = await fetch(`${stack.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) },
    body: JSON.stringify({ query: GENERATE }),
  });
  const { errors } = (await res.json()) as { errors?: { message: string; extensions: { code: string; retryAfterSeconds?: number } }[] };
  return { status: res.status, retryAfter: res.headers.get('retry-after'), code: errors?.[0]?.extensions.code, retryAfterSeconds: errors?.[0]?.extensions.retryAfterSeconds, message: errors?.[0]?.message };
}

describe('rate limits', () => {
  let stack: Stack;
  afterEach(() => stack.stop());

  it('RATE_LIMIT_RPM counts generation operations per key, and says when to retry', async () => {
    stack = await startStack({}, { RATE_LIMIT_RPM: '3', API_KEYS: `${KEY_A},${KEY_B}` });
    for (let i = 0; i < 3; i++) expect((await generate(stack, KEY_A)).code).toBeUndefined();
    const refused = await generate(stack, KEY_A);
    expect(refused).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringMatching(/requests per minute \(RATE_LIMIT_RPM\)/) });
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
    // Another key has its own count; queries are not generations.
    expect((await generate(stack, KEY_B)).code).toBeUndefined();
    const query = await fetch(`${stack.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': KEY_A }, body: '{"query":"{ models { id } }"}' });
    expect(((await query.json()) as { errors?: unknown }).errors).toBeUndefined();
    expect(stack.simulators[0]!.stats().requestsByRoute['POST /generate']).toBe(4);
  });

  it('answers REST with 429 and Retry-After, counting per client address when keys are off', async () => {
    stack = await startStack({}, { RATE_LIMIT_RPM: '1' });
    const rest = () => fetch(`${stack.url}/generate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model_id: 'sim', prompt: 'Hi', max_new_tokens: 2 }) });
    expect((await rest()).status).toBe(200);
    const refused = await rest();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await refused.json()) as { detail: string }).detail).toMatch(/^rate limit reached/);
    expect((await generate(stack)).code).toBe('RATE_LIMITED');
  });

  it('MAX_CONCURRENT_STREAMS refuses the next generation while one is open, then admits again', async () => {
    stack = await startStack({ timeToFirstTokenMs: 5, timePerTokenMs: 20 }, { MAX_CONCURRENT_STREAMS: '1' });
    const client = wsClient(stack.wsUrl);
    const open = collectWs(client, GenerateStreamDocument, { input: { modelId: 'sim', prompt: 'Hi', maxNewTokens: 15 } });
    await eventually(() => stack.app.services.generation.activeGenerations === 1, 2000, 'the stream to start');
    const refused = await generate(stack);
    expect(refused).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 1 });
    const second = await collectWs(client, GenerateStreamDocument, { input: { modelId: 'sim', prompt: 'Hi', maxNewTokens: 2 } });
    expect(second).toHaveLength(1);
    expect(second[0]!.errors![0]!.extensions!.code).toBe('RATE_LIMITED');
    expect(await open).toHaveLength(15);
    expect((await generate(stack)).code).toBeUndefined();
    await client.dispose();
    await settled(stack.app, stack.simulators);
  });

  it('a request the model cannot take (its in-flight cap) costs the caller no RPM', async () => {
    stack = await startStack({ timeToFirstTokenMs: 5, timePerTokenMs: 20 }, { RATE_LIMIT_RPM: '2', TGI_SIM_MAX_CONCURRENT: '1' });
    const client = wsClient(stack.wsUrl);
    const open = collectWs(client, GenerateStreamDocument, { input: { modelId: 'sim', prompt: 'Hi', maxNewTokens: 10 } });
    await eventually(() => stack.app.services.generation.activeGenerations === 1, 2000, 'the stream to start');
    for (let i = 0; i < 3; i++) expect((await generate(stack)).code).toBe('UPSTREAM_OVERLOADED');
    await open;
    // The stream took one of the two; the three overloads took none.
    expect((await generate(stack)).code).toBeUndefined();
    expect((await generate(stack)).code).toBe('RATE_LIMITED');
    await client.dispose();
  });

  it('RATE_LIMIT_TPM charges tokens as they stream: an abandoned stream pays for what arrived; a running one is never cut', async () => {
    stack = await startStack({ timeToFirstTokenMs: 1, timePerTokenMs: 5 }, { RATE_LIMIT_TPM: '12' });
    const client = wsClient(stack.wsUrl);
    // Left after 4 tokens: those 4 are charged, though the stream asked for 50.
    let seen = 0;
    for await (const payload of client.iterate({ query: GenerateStreamDocument.toString(), variables: { input: { modelId: 'sim', prompt: 'Hi', maxNewTokens: 50 } } })) {
      expect(payload.errors).toBeUndefined();
      if (++seen === 4) break;
    }
    await settled(stack.app, stack.simulators);
    // 4 charged, under 12: this stream runs to its end although it takes the key over the limit.
    const whole = await collectWs(client, GenerateStreamDocument, { input: { modelId: 'sim', prompt: 'Hi', maxNewTokens: 20 } });
    expect(whole).toHaveLength(20);
    expect(whole.every((p) => p.errors === undefined)).toBe(true);
    const refused = await generate(stack);
    expect(refused).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringMatching(/generated tokens per minute \(RATE_LIMIT_TPM\)/) });
    await client.dispose();
  });
});
