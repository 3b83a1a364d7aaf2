// The gateway never holds a token back: each one leaves as soon as its chunk
// arrives, on every protocol and transport. Proved on a slow server: when
// the client receives the first token, the server has not yet produced the
// second. Where the server reports the end in a chunk of its own (llama.cpp),
// the last event is an empty special token that carries the details.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenerateStreamDocument, type GenerateInput } from '../gql/graphql.ts';
import type { SimulatorFlavour } from '../../src/simulator/core/types.ts';
import { collectSse, wsClient } from './clients.ts';
import { idle, startPool, TRANSPORTS, type Pool, type Protocol, type Transport } from './protocols.ts';

const input: { input: GenerateInput } = { input: { modelId: 'pool', prompt: 'Count slowly', maxNewTokens: 3, seed: 7 } };
/** Long enough between two tokens that a token held back would be seen missing. */
const TOKEN_MS = 400;

/** Subscribes, and notes the server's produced-token count at the moment each event reaches the client. */
async function producedAtEachEvent(transport: Transport, pool: Pool): Promise<{ produced: number[]; texts: string[]; last: unknown }> {
  const produced: number[] = [];
  const texts: string[] = [];
  let last: unknown;
  const seen = (payload: { data?: { generateStream: { token: { text: string }; details: unknown } } | null }) => {
    if (!payload.data) return;
    produced.push(pool.sims[0]!.stats().tokensGenerated);
    texts.push(payload.data.generateStream.token.text);
    last = payload.data.generateStream;
  };
  if (transport === 'sse') {
    await collectSse(pool.url, GenerateStreamDocument, input, { onPayload: seen });
  } else {
    const client = wsClient(pool.wsUrl);
    try {
      await new Promise<void>((resolve, reject) => {
        client.subscribe({ query: GenerateStreamDocument.toString(), variables: input }, {
          next: (payload) => seen(payload as Parameters<typeof seen>[0]),
          error: reject,
          complete: resolve,
        });
      });
    } finally {
      await client.dispose();
    }
  }
  return { produced, texts, last };
}

describe.each([
  ['TGI', 'tgi', 'vllm'],
  ['vLLM', 'openai', 'vllm'],
  ['llama.cpp', 'openai', 'llamacpp'],
] as [string, Protocol, SimulatorFlavour][])('generateStream from %s', (_name, protocol, flavour) => {
  let pool: Pool;
  beforeAll(async () => {
    pool = await startPool(protocol, { sim: { flavour, timeToFirstTokenMs: 5, timePerTokenMs: TOKEN_MS } });
  });
  afterAll(() => pool.stop());

  it.each(TRANSPORTS)('over %s hands each token on before the server produced the next', async (transport) => {
    const before = pool.sims[0]!.stats().tokensGenerated;
    const { produced, texts } = await producedAtEachEvent(transport, pool);
    const counts = produced.map((n) => n - before);
    // The first event left when one token existed: it was not waiting for the second.
    expect(counts[0]).toBe(1);
    expect(counts[1]).toBe(2);
    expect(texts.slice(0, 3).every((t) => t.length > 0)).toBe(true);
    await idle(pool);
  });
});

describe('a llama.cpp stream, whose end comes in a chunk of its own', () => {
  let pool: Pool;
  beforeAll(async () => {
    pool = await startPool('openai', { sim: { flavour: 'llamacpp' } });
  });
  afterAll(() => pool.stop());

  it('ends with an empty special token that carries the text and the details', async () => {
    const { texts, last } = await producedAtEachEvent('sse', pool);
    expect(texts.length).toBeGreaterThanOrEqual(3);
    const final = last as { token: unknown; generatedText: string; details: { generatedTokens: number } };
    expect(final.token).toEqual({ id: -1, text: '', logprob: null, special: true });
    expect(final.generatedText).toBe(texts.join(''));
    expect(final.details.generatedTokens).toBe(3);
    await idle(pool);
  });
});
