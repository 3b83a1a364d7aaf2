// Each OpenAI-compatible server family is a dialect: told from what the
// server answers (or set with TGI_<KEY>_SERVER), it decides the names the
// parameters go under, the fields refused by name, the seed's width, the
// serving context (not the model's training context), the slots, and the
// route that proves the upstream key. Specified against the simulator as
// vLLM and as llama.cpp's llama-server (a 2026 build and a 2025 one).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GenerateDocument, GenerateStreamDocument, ModelsDocument, type GenerateInput } from '../gql/graphql.ts';
import type { Simulator } from '../../src/simulator/index.ts';
import { post } from './clients.ts';
import { codes, generationCalls, idle, startPool, subscribe, type Pool } from './protocols.ts';

const input = (over: Partial<GenerateInput> = {}): { input: GenerateInput } => ({
  input: { modelId: 'pool', prompt: 'Name three rivers', maxNewTokens: 4, ...over },
});
const sentBody = (sim: Simulator) => sim.lastRequest('POST /v1/completions')!.body as Record<string, unknown>;

/** A request refused before any upstream call, with the field it names. */
async function refusedBeforeUpstream(pool: Pool, over: Partial<GenerateInput>) {
  const before = generationCalls(pool.sims);
  const { errors } = await post(pool.url, GenerateDocument, input(over));
  expect(generationCalls(pool.sims)).toBe(before);
  expect(errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  return errors![0]!;
}

describe.each([
  ['a 2026 build', 'llamacpp'],
  ['a 2025 build', 'llamacpp-legacy'],
] as const)("llama.cpp's server (%s)", (_name, flavour) => {
  let pool: Pool;
  beforeAll(async () => {
    // Served with -c 2048 over 2 slots; the model itself was trained on 131072 tokens.
    pool = await startPool('openai', { sim: { flavour, maxTotalTokens: 2048, maxInputTokens: 2047, maxConcurrentRequests: 2 } });
  });
  afterEach(async () => {
    pool.reset();
    await idle(pool);
  });
  afterAll(() => pool.stop());
  const sim = () => pool.sims[0]!;

  it('gets repetitionPenalty as repeat_penalty and typicalP as typical_p, which it reads', async () => {
    const { errors } = await post(pool.url, GenerateDocument, input({ repetitionPenalty: 1.3, typicalP: 0.9, topK: 20 }));
    expect(errors).toBeUndefined();
    const sent = sentBody(sim());
    expect(sent).toMatchObject({ repeat_penalty: 1.3, typical_p: 0.9, top_k: 20 });
    expect(sent).not.toHaveProperty('repetition_penalty');
  });

  it('refuses truncate by name, which it has no equivalent for, before any call', async () => {
    const error = await refusedBeforeUpstream(pool, { truncate: 10 });
    expect(error.message).toBe("truncate is not supported by this model's server (llama.cpp)");
  });

  it('refuses a seed wider than its 32 bits by name, and takes the widest it has', async () => {
    const error = await refusedBeforeUpstream(pool, { seed: '4294967296' });
    expect(error.extensions?.field).toBe('seed');
    expect(error.message).toMatch(/at most 4294967294.*32-bit/);
    expect((await post(pool.url, GenerateDocument, input({ seed: '4294967294' }))).errors).toBeUndefined();
    expect(sentBody(sim()).seed).toBe(4294967294);
  });

  it('holds requests to its serving context (2048), not the training context of its model (131072)', async () => {
    const error = await refusedBeforeUpstream(pool, { maxNewTokens: 3000 });
    expect(error.message).toMatch(/must be <= 2048/);
  });

  it('never has more requests in flight than its slots report (total_slots: 2): the rest are UPSTREAM_OVERLOADED', async () => {
    sim().setTiming({ timePerTokenMs: 40 });
    const results = await Promise.all(Array.from({ length: 4 }, () => post(pool.url, GenerateDocument, input({ maxNewTokens: 6 }))));
    const outcomes = results.map((r) => r.errors?.[0]?.extensions?.code ?? 'OK').sort();
    expect(outcomes).toEqual(['OK', 'OK', 'UPSTREAM_OVERLOADED', 'UPSTREAM_OVERLOADED']);
  });
});

describe('a llama.cpp replica whose slots are all taken (TGI_<KEY>_MAX_CONCURRENT above them)', () => {
  let pool: Pool;
  beforeAll(async () => {
    // One slot, and one failure would eject: only a failure of the replica may count.
    pool = await startPool('openai', {
      sim: { flavour: 'llamacpp', maxConcurrentRequests: 1, timeToFirstTokenMs: 5, timePerTokenMs: 100 },
      env: { TGI_POOL_MAX_CONCURRENT: '4', EJECT_AFTER_FAILURES: '1', UPSTREAM_FIRST_TOKEN_TIMEOUT_MS: '400' },
    });
  });
  afterAll(() => pool.stop());

  it('queues the rest without a 503; a stream that times out waiting for its first token ejects nothing', async () => {
    const streams = await Promise.all(Array.from({ length: 3 }, () => subscribe('sse', pool, GenerateStreamDocument, input({ maxNewTokens: 6 }))));
    const outcomes = streams.map((payloads) => codes(payloads)[0] ?? 'OK').sort();
    // The first one runs (6 × 100 ms); the others wait in the server's queue past the first-token budget.
    expect(outcomes).toEqual(['OK', 'UPSTREAM_TIMEOUT', 'UPSTREAM_TIMEOUT']);
    const { data } = await post(pool.url, ModelsDocument);
    expect(data!.models[0]!.replicas.map((r) => r.state)).toEqual(['HEALTHY']);
    await idle(pool);
  });
});

describe('a llama.cpp build that starves /health while it generates (before 2025)', () => {
  let pool: Pool;
  beforeAll(async () => {
    pool = await startPool('openai', {
      sim: { flavour: 'llamacpp-legacy', timeToFirstTokenMs: 5, timePerTokenMs: 60 },
      env: { HEALTH_CACHE_TTL_MS: '0', HEALTH_PROBE_TIMEOUT_MS: '150' },
    });
  });
  afterAll(() => pool.stop());

  it('stays HEALTHY while it serves the gateway, though its /health does not answer in time', async () => {
    const stream = subscribe('sse', pool, GenerateStreamDocument, input({ maxNewTokens: 12 }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const during = (await post(pool.url, ModelsDocument)).data!.models[0]!;
    expect(during.replicas.map((r) => r.state)).toEqual(['HEALTHY']);
    expect(during.available).toBe(true);
    expect(codes(await stream)).toEqual([]);
    await idle(pool);
  });
});

describe('a server whose upstream key is wrong', () => {
  it.each([
    ['llama.cpp, whose /health and /v1/models are public', 'llamacpp'],
    ['vLLM, whose /health is public', 'vllm'],
  ] as const)('is UNHEALTHY on %s, with an error that names upstream authentication', async (_name, flavour) => {
    const pool = await startPool('openai', { sim: { flavour, apiKey: 'the-right-key' }, env: { TGI_POOL_API_KEY: 'a-wrong-key' } });
    try {
      const { data } = await post(pool.url, ModelsDocument);
      const model = data!.models[0]!;
      expect(model.replicas.map((r) => r.state)).toEqual(['UNHEALTHY']);
      expect(model.available).toBe(false);
      expect(model.health.error).toMatch(/^upstream authentication failed \(HTTP 401/);
      expect(JSON.stringify(data)).not.toContain('a-wrong-key');
    } finally {
      await pool.stop();
    }
  });

  it('is HEALTHY with the right key', async () => {
    const pool = await startPool('openai', { sim: { flavour: 'llamacpp', apiKey: 'the-right-key' }, env: { TGI_POOL_API_KEY: 'the-right-key' } });
    try {
      const { data } = await post(pool.url, ModelsDocument);
      expect(data!.models[0]!.replicas.map((r) => r.state)).toEqual(['HEALTHY']);
    } finally {
      await pool.stop();
    }
  });
});

describe('TGI_<KEY>_SERVER', () => {
  let pool: Pool;
  beforeAll(async () => {
    // The simulator answers as vLLM; the operator says it is Ollama, and that wins.
    pool = await startPool('openai', { env: { TGI_POOL_SERVER: 'ollama' } });
  });
  afterAll(() => pool.stop());

  it("sets the dialect: Ollama's OpenAI-compatible routes read no top_k, so topK is refused by name", async () => {
    const error = await refusedBeforeUpstream(pool, { topK: 5 });
    expect(error.message).toBe("topK is not supported by this model's server (Ollama)");
  });

  it('sends no repetition penalty it would ignore, and takes the neutral default (1.0) as left out', async () => {
    expect((await post(pool.url, GenerateDocument, input())).errors).toBeUndefined();
    expect(sentBody(pool.sims[0]!)).not.toHaveProperty('repetition_penalty');
    expect((await refusedBeforeUpstream(pool, { repetitionPenalty: 1.2 })).extensions?.field).toBe('repetitionPenalty');
  });
});

describe('vLLM, told from its model list', () => {
  let pool: Pool;
  beforeAll(async () => {
    pool = await startPool('openai');
  });
  afterAll(() => pool.stop());

  it('is named in a refusal, and gets its own parameter names', async () => {
    expect((await refusedBeforeUpstream(pool, { typicalP: 0.5 })).message).toBe("typicalP is not supported by this model's server (vLLM)");
    expect((await post(pool.url, GenerateDocument, input({ repetitionPenalty: 1.1, truncate: 12 }))).errors).toBeUndefined();
    expect(sentBody(pool.sims[0]!)).toMatchObject({ repetition_penalty: 1.1, truncate_prompt_tokens: 12 });
  });
});
