// Streams that survive a replica (API.md § continuation): a replica reset or
// broken off after tokens were relayed, the stream goes on from another
// healthy replica with the prompt and the text so far, as one stream to the
// client (no gap, no repeat, within its token budget), both attempts' tokens
// counted; none where the contract says none; metrics and the access line
// record it.
import { afterEach, describe, expect, it } from 'vitest';
import { ChatStreamDocument, GenerateStreamWithUsageDocument } from '../gql/graphql.ts';
import { collectWs, wsClient } from './clients.ts';
import { PROTOCOLS, ROUTES, startPool, type Pool } from './protocols.ts';

const generateInput = (over: Record<string, unknown> = {}) => ({ input: { modelId: 'pool', prompt: 'Tell me about GPUs', maxNewTokens: 20, seed: 7, ...over } });
const chatInput = { input: { modelId: 'pool', messages: [{ role: 'USER' as const, content: 'Tell me about GPUs' }], maxTokens: 20, seed: 7 } };

async function metricsOf(pool: Pool): Promise<string> {
  return (await fetch(`${pool.url}/metrics`)).text();
}

describe.each(PROTOCOLS)('continuation on %s', (protocol) => {
  let pool: Pool;
  afterEach(() => pool.stop());

  it.each([
    { failure: 'a reset', fault: { dropAfterTokens: 5, times: 1 }, env: {} as Record<string, string> },
    { failure: 'an in-band error', fault: { errorAfterTokens: 5, times: 1 }, env: {} as Record<string, string> },
    // The silent replica's stream is cut, not the generation: the idle budget starts again on the other.
    { failure: 'silence past the idle budget', fault: { stallAfterTokens: 5, times: 1 }, env: { UPSTREAM_IDLE_TIMEOUT_MS: '1000' } },
  ])('goes on after $failure mid-stream from the other replica: one stream, no gap or repeat, within the budget', async ({ fault, env }) => {
    pool = await startPool(protocol, { replicas: 2, env });
    // A fresh model's first pick is its first replica.
    pool.sims[0]!.setFaults(fault);
    const client = wsClient(pool.wsUrl);
    const payloads = await collectWs(client, GenerateStreamWithUsageDocument, generateInput());
    await client.dispose();
    expect(payloads.filter((p) => p.errors)).toEqual([]);
    const events = payloads.map((p) => p.data!.generateStream);
    expect(events.map((e) => e.index)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const last = events.at(-1)!;
    expect(events.map((e) => e.token.text).join('')).toBe(last.generatedText);
    expect(last.details).toMatchObject({ finishReason: 'LENGTH', generatedTokens: 20 });
    // The other replica was asked for the rest: the prompt and the 5 tokens relayed, 15 more at most.
    const relayed = events.slice(0, 5).map((e) => e.token.text).join('');
    const asked = pool.sims[1]!.lastRequest(ROUTES[protocol].generateStream)!.body as Record<string, unknown>;
    if (protocol === 'tgi') expect(asked).toMatchObject({ inputs: `Tell me about GPUs${relayed}`, parameters: { max_new_tokens: 15 } });
    else expect(asked).toMatchObject({ prompt: `Tell me about GPUs${relayed}`, max_tokens: 15 });
    if (last.usage) expect(last.usage.completionTokens).toBe(20);
    expect(await metricsOf(pool)).toMatch(/stream_continuations_total\{[^}]*model="pool"[^}]*code="OK"[^}]*\} 1/);
  });

  it('ends with UPSTREAM_TIMEOUT as before when a silent replica leaves no other to go on', async () => {
    pool = await startPool(protocol, { replicas: 1, env: { UPSTREAM_IDLE_TIMEOUT_MS: '1000' } });
    pool.sims[0]!.setFaults({ stallAfterTokens: 5, times: 1 });
    const client = wsClient(pool.wsUrl);
    const payloads = await collectWs(client, GenerateStreamWithUsageDocument, generateInput());
    await client.dispose();
    expect(payloads.slice(0, -1).map((p) => p.data!.generateStream.index)).toEqual([1, 2, 3, 4, 5]);
    expect(payloads.at(-1)!.errors![0]!.extensions?.code).toBe('UPSTREAM_TIMEOUT');
  });

  it('fails as before with STREAM_FAILOVER=off', async () => {
    pool = await startPool(protocol, { replicas: 2, env: { STREAM_FAILOVER: 'off' } });
    pool.sims[0]!.setFaults({ dropAfterTokens: 5, times: 1 });
    const client = wsClient(pool.wsUrl);
    const payloads = await collectWs(client, GenerateStreamWithUsageDocument, generateInput());
    await client.dispose();
    expect(payloads).toHaveLength(6);
    expect(payloads[5]!.errors![0]!.extensions?.code).toBe('UPSTREAM_ERROR');
    expect(pool.sims[1]!.lastRequest(ROUTES[protocol].generateStream)).toBeUndefined();
  });

  it('does not continue where a stop sequence could span the cut, and ends with the original failure', async () => {
    pool = await startPool(protocol, { replicas: 2 });
    // Learn the first 5 tokens, then stop on a sequence that starts with the 5th token's last character.
    const client = wsClient(pool.wsUrl);
    const probe = (await collectWs(client, GenerateStreamWithUsageDocument, generateInput())).map((p) => p.data!.generateStream.token.text);
    const tail = probe.slice(0, 5).join('').slice(-1);
    pool.sims[0]!.setFaults({ dropAfterTokens: 5, times: 1 });
    pool.sims[1]!.setFaults({ dropAfterTokens: 5, times: 1 }); // the probe moved the rotation: either may serve first
    const payloads = await collectWs(client, GenerateStreamWithUsageDocument, generateInput({ stop: [`${tail}\u0000never`] }));
    await client.dispose();
    expect(payloads.at(-1)!.errors![0]!.extensions?.code).toBe('UPSTREAM_ERROR');
    expect(payloads.slice(0, -1).map((p) => p.data!.generateStream.index)).toEqual([1, 2, 3, 4, 5]);
  });

  it(protocol === 'openai' ? 'continues a chat stream as a continued assistant message' : "does not continue a chat stream (TGI's Messages API cannot)", async () => {
    pool = await startPool(protocol, { replicas: 2 });
    pool.sims[0]!.setFaults({ dropAfterTokens: 5, times: 1 });
    const client = wsClient(pool.wsUrl);
    const payloads = await collectWs(client, ChatStreamDocument, chatInput);
    await client.dispose();
    if (protocol === 'tgi') {
      expect(payloads.at(-1)!.errors![0]!.extensions?.code).toBe('UPSTREAM_ERROR');
      return;
    }
    expect(payloads.filter((p) => p.errors)).toEqual([]);
    const events = payloads.map((p) => p.data!.chatStream);
    expect(events.map((e) => e.index)).toEqual(events.map((_, i) => i + 1));
    expect(events.length).toBeLessThanOrEqual(20);
    expect(events.at(-1)!.usage?.completionTokens).toBe(events.length);
    const relayed = events.slice(0, 5).map((e) => e.delta).join('');
    expect(pool.sims[1]!.lastRequest(ROUTES.openai.chat)!.body).toMatchObject({
      messages: [{ role: 'user', content: 'Tell me about GPUs' }, { role: 'assistant', content: relayed }],
      continue_final_message: true,
      add_generation_prompt: false,
      max_tokens: 15,
    });
  });
});

describe('continuation on a server that takes no continued message', () => {
  let pool: Pool;
  afterEach(() => pool.stop());

  // llama.cpp's server would answer continue_final_message with a new reply, glued onto the old one.
  it('does not continue a chat stream on llama.cpp, told from its /v1/models: it ends with the original failure', async () => {
    pool = await startPool('openai', { replicas: 2, sim: { flavour: 'llamacpp' } });
    pool.sims[0]!.setFaults({ dropAfterTokens: 5, times: 1 });
    const client = wsClient(pool.wsUrl);
    const payloads = await collectWs(client, ChatStreamDocument, chatInput);
    await client.dispose();
    expect(payloads.at(-1)!.errors![0]!.extensions?.code).toBe('UPSTREAM_ERROR');
    expect(pool.sims[1]!.lastRequest(ROUTES.openai.chat)).toBeUndefined();
  });
});
