// Hostile inputs, the OpenAI-compatible API: chat and completions bodies whose
// fields hold any JSON value, or that are no object at all. Each gets either an
// answer or a 4xx in OpenAI's shape that names a field and echoes no upstream
// text; nothing is a 500, and a refused body reaches no model server.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/simulator/index.ts';
import { settled, startGateway, startSimulators } from '../e2e/harness.ts';

const CHAT_FIELDS = ['model', 'messages', 'max_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'stop', 'seed', 'frequency_penalty', 'presence_penalty', 'stream', 'stream_options', 'n', 'user', 'logprobs', 'tools', 'tool_choice', 'response_format', 'audio', 'modalities'];
const COMPLETION_FIELDS = ['model', 'prompt', 'max_tokens', 'temperature', 'top_p', 'stop', 'seed', 'frequency_penalty', 'stream', 'stream_options', 'n', 'echo', 'best_of', 'logprobs', 'suffix'];
const VALID = {
  chat: { model: 'sim', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 2 },
  completions: { model: 'sim', prompt: 'Hi', max_tokens: 2 },
} as const;

/** A valid body with some fields replaced by any JSON value (the message list's insides included). */
const brokenBody = (route: keyof typeof VALID) => {
  const fields = route === 'chat' ? CHAT_FIELDS : COMPLETION_FIELDS;
  const message = fc.dictionary(fc.constantFrom('role', 'content', 'tool_calls', 'name'), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 });
  const value = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.array(message, { maxLength: 3 }), fc.integer(), fc.double());
  return fc.dictionary(fc.constantFrom(...fields), value, { minKeys: 1, maxKeys: 4 }).map((broken) => ({ ...VALID[route], ...broken }));
};

const UPSTREAM_TEXT = /127\.0\.0\.1|stack|at \w+ \(|CUDA|EngineCore/;

describe('hostile bodies on /v1 (NODE_ENV=production)', () => {
  let sims: Simulator[];
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  beforeAll(async () => {
    sims = await startSimulators(1, { protocol: 'openai' });
    gateway = await startGateway({ SIM: sims }, { NODE_ENV: 'production', TGI_SIM_PROTOCOL: 'openai', MAX_JSON_DEPTH: '16' });
  });
  afterAll(async () => {
    await settled(gateway.app, sims);
    await gateway.app.stop(0);
    await Promise.all(sims.map((s) => s.close()));
  });
  const generations = () => (sims[0]!.stats().requestsByRoute['POST /v1/chat/completions'] ?? 0) + (sims[0]!.stats().requestsByRoute['POST /v1/completions'] ?? 0);

  async function probe(route: keyof typeof VALID, body: string): Promise<void> {
    const before = generations();
    const res = await fetch(`${gateway.url}/v1/${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const text = await res.text();
    expect(res.status, text).not.toBeGreaterThanOrEqual(500);
    expect(text).not.toMatch(UPSTREAM_TEXT);
    if (res.status === 200) return;
    expect(res.status).toBeGreaterThanOrEqual(400);
    const { error } = JSON.parse(text) as { error: { message: unknown; type: unknown; param: unknown; code: unknown } };
    expect(error).toMatchObject({ message: expect.any(String), type: 'invalid_request_error', code: expect.any(String) });
    expect(error.param === null || typeof error.param === 'string').toBe(true);
    // Nothing refused reached a model server.
    expect(generations()).toBe(before);
  }

  it.each(['chat', 'completions'] as const)('%s bodies with fields of any value are answered or refused in OpenAI\'s shape', async (route) => {
    await fc.assert(fc.asyncProperty(brokenBody(route), (body) => probe(route, JSON.stringify(body))), { numRuns: 150 });
    await settled(gateway.app, sims);
  }, 60_000);

  it('bodies that are no JSON object are refused with 400', async () => {
    const bodies = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }).filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)).map((v) => JSON.stringify(v)),
      fc.string({ maxLength: 60 }),
      fc.constant(`${'['.repeat(1000)}${']'.repeat(1000)}`),
    );
    await fc.assert(fc.asyncProperty(bodies, fc.constantFrom('chat', 'completions') as fc.Arbitrary<keyof typeof VALID>, (body, route) => probe(route, body)), { numRuns: 100 });
  }, 60_000);
});
