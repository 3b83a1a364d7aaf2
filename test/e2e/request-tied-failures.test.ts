// Failures the request caused are judged by their cause, not their status:
// llama.cpp answers HTTP 500 (or, in builds before September 2025, an
// `error:` line inside a 200 stream) when a request runs past the context
// with context shift off, or when the output does not fit the asked format.
// Such a failure is the client's (BAD_USER_INPUT, in the server's words), is
// asked again at most once, and never counts toward a replica's ejection: no
// client can take a fleet out of rotation by sending bad requests. (The 401
// and 403 of a wrong upstream key: server-dialects.test.ts.)
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChatDocument, ChatStreamDocument, GenerateDocument, GenerateStreamDocument, ModelsDocument, type GenerateInput } from '../gql/graphql.ts';
import { post } from './clients.ts';
import { codes, generationCalls, idle, startPool, subscribe, TRANSPORTS, type Pool } from './protocols.ts';

const input = (over: Partial<GenerateInput> = {}): { input: GenerateInput } => ({
  input: { modelId: 'pool', prompt: 'Tell me a long story', maxNewTokens: 5, ...over },
});

const replicaStates = async (pool: Pool) => (await post(pool.url, ModelsDocument)).data!.models[0]!.replicas.map((r) => r.state);

describe.each([
  ['llama.cpp (2026 build)', 'llamacpp'],
  ['llama.cpp (2025 build)', 'llamacpp-legacy'],
] as const)('request-tied failures of %s', (_name, flavour) => {
  let pool: Pool;
  beforeAll(async () => {
    // Ejection after 2 consecutive failures: a flood would eject at once if it counted.
    pool = await startPool('openai', { replicas: 2, sim: { flavour }, env: { EJECT_AFTER_FAILURES: '2', RETRY_MAX_ATTEMPTS: '3' } });
  });
  afterEach(async () => {
    pool.reset();
    await idle(pool);
  });
  afterAll(() => pool.stop());

  it("a flood of request-tied 500s is BAD_USER_INPUT with the server's words, asked at most twice each, and leaves every replica HEALTHY", async () => {
    for (const sim of pool.sims) sim.setFaults({ requestTiedError: 'contextShift' });
    const before = generationCalls(pool.sims);
    const results = await Promise.all(Array.from({ length: 12 }, () => post(pool.url, GenerateDocument, input())));
    for (const { errors } of results) {
      expect(errors?.[0]).toMatchObject({ message: 'context shift is disabled', extensions: { code: 'BAD_USER_INPUT' } });
    }
    // Once, and once more on another replica in case the first one glitched: never a third time.
    expect(generationCalls(pool.sims) - before).toBe(24);
    expect(await replicaStates(pool)).toEqual(['HEALTHY', 'HEALTHY']);
    // And the replicas serve the next request as ever.
    pool.reset();
    expect((await post(pool.url, GenerateDocument, input())).data?.generate.details.generatedTokens).toBe(5);
  });

  it.each(TRANSPORTS)('a stream over %s that the server fails for the request ends with BAD_USER_INPUT, and ejects nothing', async (transport) => {
    for (const sim of pool.sims) sim.setFaults({ requestTiedError: 'outputFormat' });
    for (let i = 0; i < 4; i++) {
      const payloads = await subscribe(transport, pool, GenerateStreamDocument, input());
      expect(codes(payloads)).toEqual(['BAD_USER_INPUT']);
      expect(payloads.flatMap((p) => p.errors ?? [])[0]?.message).toMatch(/does not match the expected tool call format/);
    }
    expect(await replicaStates(pool)).toEqual(['HEALTHY', 'HEALTHY']);
  });

  it('holds for chat and chatStream alike', async () => {
    for (const sim of pool.sims) sim.setFaults({ requestTiedError: 'contextShift' });
    const chat = { input: { modelId: 'pool', messages: [{ role: 'USER' as const, content: 'Go on forever' }], maxTokens: 5 } };
    expect((await post(pool.url, ChatDocument, chat)).errors?.[0]).toMatchObject({ message: 'context shift is disabled', extensions: { code: 'BAD_USER_INPUT' } });
    expect(codes(await subscribe('graphql-ws', pool, ChatStreamDocument, chat))).toEqual(['BAD_USER_INPUT']);
    expect(await replicaStates(pool)).toEqual(['HEALTHY', 'HEALTHY']);
  });
});
