// chat and chatStream, specified end to end on both upstream protocols: TGI's
// Messages API and an OpenAI-compatible server (/v1/chat/completions). Real
// simulators and a real gateway on loopback; HTTP for the mutation, graphql-ws
// and GraphQL-over-SSE for the subscription.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChatDocument, ChatStreamDocument, type ChatInput, type ChatMessageInput, type ChatStreamSubscription } from '../gql/graphql.ts';
import { collectWs, post, wsClient, type Result } from './clients.ts';
import { eventually } from './harness.ts';
import {
  callsTo, codes, idle, LEAVINGS, PROTOCOLS, ROUTES, startPool, subscribe, subscribeAndLeave, TRANSPORTS, type Pool,
} from './protocols.ts';

const MESSAGES: ChatMessageInput[] = [
  { role: 'SYSTEM', content: 'You answer in one paragraph.' },
  { role: 'USER', content: 'Tell me about GPUs' },
];
const chatInput = (over: Partial<ChatInput> = {}): { input: ChatInput } => ({
  input: { modelId: 'pool', messages: MESSAGES, maxTokens: 8, temperature: 0.8, seed: 7, ...over },
});

type ChatEvent = ChatStreamSubscription['chatStream'];
const eventsOf = (payloads: Result<ChatStreamSubscription>[]): ChatEvent[] => payloads.filter((p) => p.data).map((p) => p.data!.chatStream);
const text = (events: ChatEvent[]) => events.map((e) => e.delta).join('');
/** Upstream text a masked error must never carry: the simulators' own failure messages. */
const UPSTREAM_TEXT = /CUDA|EngineCore|Tried to allocate|127\.0\.0\.1/;

/** The stream's shape, whatever ended it: index from 1, only the last event carrying finish and usage, only it maybe empty. */
function expectWellFormed(events: ChatEvent[]): void {
  expect(events.length).toBeGreaterThan(0);
  expect(events.map((e) => e.index)).toEqual(events.map((_, i) => i + 1));
  expect(events.every((e) => e.modelId === 'pool')).toBe(true);
  const init = events.slice(0, -1);
  expect(init.every((e) => e.finishReason === null && e.usage === null)).toBe(true);
  expect(init.every((e) => e.delta.length > 0)).toBe(true);
  expect(events.at(-1)!.finishReason).not.toBeNull();
}

/** What the simulator itself answers, unstreamed, to the chat body the gateway last sent it. */
async function serverAnswer(pool: Pool, apiKey?: string): Promise<{ usage: unknown; choices: { message: { content: string } }[] }> {
  const sent = pool.sims[0]!.lastRequest(ROUTES[pool.protocol].chat)!.body as Record<string, unknown>;
  const { stream_options: _options, ...body } = sent;
  const res = await fetch(`${pool.sims[0]!.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
    body: JSON.stringify({ ...body, stream: false }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { usage: unknown; choices: { message: { content: string } }[] };
}

const asUsage = (u: unknown) => {
  const { prompt_tokens, completion_tokens, total_tokens } = u as Record<string, number>;
  return { promptTokens: prompt_tokens, completionTokens: completion_tokens, totalTokens: total_tokens };
};

describe.each(PROTOCOLS)('chat on a %s model', (protocol) => {
  describe('the reply', () => {
    let pool: Pool;
    beforeAll(async () => {
      pool = await startPool(protocol);
    });
    afterEach(async () => {
      pool.reset();
      await idle(pool);
    });
    afterAll(() => pool.stop());
    const chatCalls = () => callsTo(pool.sims, ROUTES[protocol].chat);

    it('chat over HTTP returns the assistant message, why it ended, and the usage the server reported', async () => {
      const { data, errors } = await post(pool.url, ChatDocument, chatInput());
      expect(errors).toBeUndefined();
      const chat = data!.chat;
      expect(chat).toMatchObject({ modelId: 'pool', finishReason: 'LENGTH', message: { role: 'ASSISTANT' } });
      expect(chat.message.content.length).toBeGreaterThan(0);
      const server = await serverAnswer(pool);
      expect(chat.usage).toEqual(asUsage(server.usage));
      expect(chat.usage).toMatchObject({ completionTokens: 8 });
      expect(chat.usage!.totalTokens).toBe(chat.usage!.promptTokens + 8);
      expect(chat.message.content).toBe(server.choices[0]!.message.content);
    });

    it('chat over graphql-ws answers exactly what it answers over HTTP', async () => {
      const overHttp = await post(pool.url, ChatDocument, chatInput({ seed: 3 }));
      const client = wsClient(pool.wsUrl);
      const overWs = await collectWs(client, ChatDocument, chatInput({ seed: 3 }));
      await client.dispose();
      expect(overWs).toHaveLength(1);
      expect(overWs[0]!.data).toEqual(overHttp.data);
    });

    it.each(TRANSPORTS)(
      'chatStream over %s: one event per content delta from index 1, finish and usage on the last only, adding up to chat',
      async (transport) => {
        const unary = (await post(pool.url, ChatDocument, chatInput({ maxTokens: 12 }))).data!.chat;
        const events = eventsOf(await subscribe(transport, pool, ChatStreamDocument, chatInput({ maxTokens: 12 })));
        expectWellFormed(events);
        // Role-only chunks (the OpenAI stream opens with one) are not events: one per token here.
        expect(events).toHaveLength(12);
        expect(text(events)).toBe(unary.message.content);
        const last = events.at(-1)!;
        expect(last.finishReason).toBe(unary.finishReason);
        expect(last.usage).toEqual(unary.usage);
        expect(last.usage).toMatchObject({ completionTokens: 12 });
        // The gateway asked for the usage chunk.
        expect(pool.sims[0]!.lastRequest(ROUTES[protocol].chat)!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
      },
    );

    it('says LENGTH when maxTokens ended the reply, on chat and chatStream alike', async () => {
      const chat = (await post(pool.url, ChatDocument, chatInput({ maxTokens: 3 }))).data!.chat;
      expect(chat.finishReason).toBe('LENGTH');
      for (const transport of TRANSPORTS) {
        const events = eventsOf(await subscribe(transport, pool, ChatStreamDocument, chatInput({ maxTokens: 3 })));
        expectWellFormed(events);
        expect(events.at(-1)!.finishReason).toBe('LENGTH');
        expect(text(events)).toBe(chat.message.content);
      }
    });

    it('says EOS_TOKEN when the model ended the reply itself, even with stop sequences that did not match', async () => {
      const variables = chatInput({ maxTokens: null, stop: ['never-in-the-vocabulary'] });
      const chat = (await post(pool.url, ChatDocument, variables)).data!.chat;
      expect(chat.finishReason).toBe('EOS_TOKEN');
      expect(chat.usage!.completionTokens).toBeLessThan(64);
      for (const transport of TRANSPORTS) {
        const events = eventsOf(await subscribe(transport, pool, ChatStreamDocument, variables));
        expectWellFormed(events);
        expect(events.at(-1)).toMatchObject({ finishReason: 'EOS_TOKEN', usage: chat.usage });
        expect(text(events)).toBe(chat.message.content);
      }
    });

    it('says STOP_SEQUENCE when a stop sequence ended the reply, on chat and chatStream alike', async () => {
      const free = eventsOf(await subscribe('sse', pool, ChatStreamDocument, chatInput({ maxTokens: 12 })));
      const whole = text(free);
      const stop = free[5]!.delta;
      const variables = chatInput({ maxTokens: 12, stop: [stop] });
      const chat = (await post(pool.url, ChatDocument, variables)).data!.chat;
      expect(chat.finishReason).toBe('STOP_SEQUENCE');
      expect(chat.usage!.completionTokens).toBeLessThanOrEqual(6);
      // TGI keeps the matched stop sequence in the text; vLLM cuts it off.
      if (protocol === 'tgi') expect(chat.message.content.endsWith(stop)).toBe(true);
      else expect(whole.startsWith(chat.message.content + stop)).toBe(true);
      expect(whole.startsWith(chat.message.content)).toBe(true);
      for (const transport of TRANSPORTS) {
        const events = eventsOf(await subscribe(transport, pool, ChatStreamDocument, variables));
        expectWellFormed(events);
        expect(events.at(-1)).toMatchObject({ finishReason: 'STOP_SEQUENCE', usage: chat.usage });
        expect(text(events)).toBe(chat.message.content);
      }
    });

    it('takes temperature 0 as greedy decoding: the seed no longer matters, and the server is asked for temperature 0', async () => {
      const greedy = async (seed: number) => (await post(pool.url, ChatDocument, chatInput({ temperature: 0, seed }))).data!.chat;
      const a = await greedy(1);
      expect(pool.sims[0]!.lastRequest(ROUTES[protocol].chat)!.body).toMatchObject({ temperature: 0 });
      const b = await greedy(2);
      expect(a.message.content).toBe(b.message.content);
      const events = eventsOf(await subscribe('graphql-ws', pool, ChatStreamDocument, chatInput({ temperature: 0, seed: 3 })));
      expect(text(events)).toBe(a.message.content);
      // Sampling, by contrast, follows the seed.
      const sampled = async (seed: number) => (await post(pool.url, ChatDocument, chatInput({ temperature: 0.9, seed }))).data!.chat.message.content;
      expect(await sampled(1)).not.toBe(await sampled(2));
    });

    it('accepts topP 1 (no nucleus filtering) on every protocol', async () => {
      const { data, errors } = await post(pool.url, ChatDocument, chatInput({ topP: 1 }));
      expect(errors).toBeUndefined();
      expect(data!.chat.finishReason).toBe('LENGTH');
      const sent = pool.sims[0]!.lastRequest(ROUTES[protocol].chat)!.body as Record<string, unknown>;
      // TGI's chat route wants top_p below 1: it is left out there, which means the same.
      if (protocol === 'tgi') expect(sent).not.toHaveProperty('top_p');
      else expect(sent.top_p).toBe(1);
    });

    it('decodes the same deltas when the server writes its stream a byte at a time with CRLF line endings', async () => {
      const split = await startPool(protocol, { sim: { chunkBytes: 1, lineEnding: '\r\n' } });
      try {
        const conversation = chatInput({
          maxTokens: 60,
          seed: 11,
          messages: [...MESSAGES, { role: 'ASSISTANT', content: 'GPUs are parallel processors.' }, { role: 'USER', content: 'Plus de détails, s’il te plaît 🙂' }],
        });
        const whole = eventsOf(await subscribe('sse', pool, ChatStreamDocument, conversation));
        const pieces = eventsOf(await subscribe('graphql-ws', split, ChatStreamDocument, conversation));
        expectWellFormed(pieces);
        expect(pieces).toEqual(whole);
        // Multi-byte characters, split between writes, arrive whole.
        expect(text(pieces)).toMatch(/[^\x00-\x7f]/);
        expect(text(pieces)).not.toContain('\uFFFD');
        expect(split.sims[0]!.lastRequest(ROUTES[protocol].chat)!.body).toMatchObject({
          messages: [
            { role: 'system', content: MESSAGES[0]!.content },
            { role: 'user', content: MESSAGES[1]!.content },
            { role: 'assistant', content: 'GPUs are parallel processors.' },
            { role: 'user', content: 'Plus de détails, s’il te plaît 🙂' },
          ],
        });
        await idle(split);
      } finally {
        await split.stop();
      }
    });

    it(`takes as many stop sequences as the server allows (${protocol === 'tgi' ? "TGI's /info: 4" : 'the gateway\'s own cap: 16'}), no more`, async () => {
      const five = chatInput({ stop: ['q1', 'q2', 'q3', 'q4', 'q5'] });
      const before = chatCalls();
      const { errors } = await post(pool.url, ChatDocument, five);
      if (protocol === 'tgi') {
        expect(errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'stop' });
        expect(chatCalls()).toBe(before);
      } else {
        expect(errors).toBeUndefined();
        expect(pool.sims[0]!.lastRequest(ROUTES[protocol].chat)!.body).toMatchObject({ stop: ['q1', 'q2', 'q3', 'q4', 'q5'] });
      }
      expect((await post(pool.url, ChatDocument, chatInput({ stop: ['q1', 'q2', 'q3', 'q4'] }))).errors).toBeUndefined();
    });

    const BAD: [string, Partial<ChatInput>][] = [
      ['messages', { messages: [] }],
      ['messages', { messages: [{ role: 'USER', content: 'x'.repeat(140_000) }] }],
      ['temperature', { temperature: -0.5 }],
      ['topP', { topP: 0 }],
      ['topP', { topP: 1.5 }],
      ['maxTokens', { maxTokens: 0 }],
      ['maxTokens', { maxTokens: 5000 }],
      ['frequencyPenalty', { frequencyPenalty: 2.5 }],
      ['presencePenalty', { presencePenalty: -3 }],
      ['stop', { stop: Array.from({ length: 17 }, (_, i) => `s${i}`) }],
      ['stop', { stop: [''] }],
    ];

    it.each(BAD)('refuses a bad %s with BAD_USER_INPUT over HTTP, graphql-ws and SSE, before any upstream call', async (field, over) => {
      const before = chatCalls();
      const unary = await post(pool.url, ChatDocument, chatInput(over));
      expect(unary.data ?? null).toBeNull();
      expect(unary.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
      for (const transport of TRANSPORTS) {
        const payloads = await subscribe(transport, pool, ChatStreamDocument, chatInput(over));
        expect(payloads).toHaveLength(1);
        expect(payloads[0]!.data ?? null).toBeNull();
        expect(payloads[0]!.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
      }
      expect(chatCalls()).toBe(before);
    });
  });

  describe('retries before the first token', () => {
    let pool: Pool;
    beforeAll(async () => {
      pool = await startPool(protocol, { replicas: 2, env: { EJECT_AFTER_FAILURES: '1000' } });
    });
    afterEach(async () => {
      pool.reset();
      await idle(pool);
    });
    afterAll(() => pool.stop());
    const served = (i: number) => callsTo([pool.sims[i]!], ROUTES[protocol].chat);

    it.each([
      ['answers 503', { httpStatus: 503 }],
      ['has a full queue', { overloaded: true }],
      ['answers 429', { httpStatus: 429 }],
      ['answers 500', { httpStatus: 500 }],
      ['refuses connections', { refuseConnections: true }],
    ])('take another replica when one %s: chat and chatStream are served all the same', async (_what, fault) => {
      pool.sims[0]!.setFaults(fault);
      const faulty = served(0);
      const healthy = served(1);
      for (let i = 0; i < 3; i++) {
        const { data, errors } = await post(pool.url, ChatDocument, chatInput());
        expect(errors).toBeUndefined();
        expect(data!.chat.finishReason).toBe('LENGTH');
        for (const transport of TRANSPORTS) {
          const payloads = await subscribe(transport, pool, ChatStreamDocument, chatInput());
          expect(codes(payloads)).toEqual([]);
          expect(eventsOf(payloads)).toHaveLength(8);
        }
      }
      // Ties rotate, so the faulty replica was asked first at least once, and never served.
      expect(served(0)).toBeGreaterThan(faulty);
      expect(served(1) - healthy).toBe(9);
    });

    it('answers UPSTREAM_UNAVAILABLE when every replica answered 503', async () => {
      for (const s of pool.sims) s.setFaults({ httpStatus: 503 });
      expect(codes([await post(pool.url, ChatDocument, chatInput())])).toEqual(['UPSTREAM_UNAVAILABLE']);
      for (const transport of TRANSPORTS) {
        expect(codes(await subscribe(transport, pool, ChatStreamDocument, chatInput()))).toEqual(['UPSTREAM_UNAVAILABLE']);
      }
      expect(served(0)).toBeGreaterThan(0);
      expect(served(1)).toBeGreaterThan(0);
    });

    it('answers UPSTREAM_OVERLOADED when every replica answered 429', async () => {
      for (const s of pool.sims) s.setFaults({ httpStatus: 429 });
      expect(codes([await post(pool.url, ChatDocument, chatInput())])).toEqual(['UPSTREAM_OVERLOADED']);
      for (const transport of TRANSPORTS) {
        expect(codes(await subscribe(transport, pool, ChatStreamDocument, chatInput()))).toEqual(['UPSTREAM_OVERLOADED']);
      }
    });

    it(`answers ${protocol === 'tgi' ? 'UPSTREAM_OVERLOADED (TGI says 429, or in-band)' : 'UPSTREAM_UNAVAILABLE (the server says 503)'} when every replica is full`, async () => {
      for (const s of pool.sims) s.setFaults({ overloaded: true });
      const expected = protocol === 'tgi' ? 'UPSTREAM_OVERLOADED' : 'UPSTREAM_UNAVAILABLE';
      expect(codes([await post(pool.url, ChatDocument, chatInput())])).toEqual([expected]);
      for (const transport of TRANSPORTS) {
        expect(codes(await subscribe(transport, pool, ChatStreamDocument, chatInput()))).toEqual([expected]);
      }
    });
  });

  describe('timeouts, departures and failures', () => {
    let pool: Pool;
    beforeAll(async () => {
      pool = await startPool(protocol, {
        env: { UPSTREAM_FIRST_TOKEN_TIMEOUT_MS: '300', UPSTREAM_IDLE_TIMEOUT_MS: '150', UPSTREAM_TIMEOUT_MS: '4000', EJECT_AFTER_FAILURES: '1000' },
      });
    });
    afterEach(async () => {
      pool.reset();
      await idle(pool);
    });
    afterAll(() => pool.stop());
    const sim = () => pool.sims[0]!;
    const chatCalls = () => callsTo(pool.sims, ROUTES[protocol].chat);

    it('ends with UPSTREAM_TIMEOUT when no first token comes in time, and aborts the server request', async () => {
      sim().setFaults({ stallBeforeHeaders: true });
      // Each ended by the first-token timeout (300 ms), not by the overall one (4 s): judged against
      // the configuration, not a budget for this machine.
      const timed = async <T,>(request: () => Promise<T>) => {
        const started = performance.now();
        const result = await request();
        expect(performance.now() - started).toBeLessThan(4000);
        return result;
      };
      expect(codes([await timed(() => post(pool.url, ChatDocument, chatInput()))])).toEqual(['UPSTREAM_TIMEOUT']);
      for (const transport of TRANSPORTS) {
        expect(codes(await timed(() => subscribe(transport, pool, ChatStreamDocument, chatInput())))).toEqual(['UPSTREAM_TIMEOUT']);
      }
      await idle(pool);
      expect(sim().stats().abortedGenerations + sim().stats().abortedStreams).toBeGreaterThanOrEqual(3);
    });

    it.each(TRANSPORTS)('ends a stream that goes silent between tokens with UPSTREAM_TIMEOUT after the deltas it had (%s)', async (transport) => {
      sim().setFaults({ stallAfterTokens: 2 });
      const payloads = await subscribe(transport, pool, ChatStreamDocument, chatInput());
      expect(eventsOf(payloads).map((e) => e.index)).toEqual([1, 2]);
      expect(eventsOf(payloads).every((e) => e.delta.length > 0 && e.finishReason === null)).toBe(true);
      expect(codes(payloads)).toEqual(['UPSTREAM_TIMEOUT']);
      expect(payloads.at(-1)!.errors).toBeDefined();
    });

    it('bounds the whole chat by UPSTREAM_TIMEOUT_MS', async () => {
      const slow = await startPool(protocol, { sim: { timePerTokenMs: 40 }, env: { UPSTREAM_TIMEOUT_MS: '300' } });
      try {
        expect(codes([await post(slow.url, ChatDocument, chatInput({ maxTokens: 100 }))])).toEqual(['UPSTREAM_TIMEOUT']);
        for (const transport of TRANSPORTS) {
          const payloads = await subscribe(transport, slow, ChatStreamDocument, chatInput({ maxTokens: 100 }));
          expect(eventsOf(payloads).length).toBeGreaterThan(2);
          expect(eventsOf(payloads).length).toBeLessThan(100);
          expect(codes(payloads)).toEqual(['UPSTREAM_TIMEOUT']);
        }
        await idle(slow);
      } finally {
        await slow.stop();
      }
    });

    it.each(LEAVINGS)('stops the generation upstream when the client %s', async (leaving) => {
      const aborted = sim().stats().abortedStreams;
      const { payloads, close } = await subscribeAndLeave(leaving, pool, ChatStreamDocument, chatInput({ maxTokens: 1000 }), 3);
      expect(eventsOf(payloads).map((e) => e.index)).toEqual([1, 2, 3]);
      await eventually(() => sim().stats().abortedStreams === aborted + 1, 2000, 'the simulator to see the stream aborted');
      await idle(pool);
      expect(sim().stats().tokensAfterAbort).toBe(0);
      await close();
    });

    it('stops the generation upstream when the client unsubscribes before the first delta', async () => {
      sim().setTiming({ timeToFirstTokenMs: 250 });
      const aborted = sim().stats().abortedStreams;
      const client = wsClient(pool.wsUrl, { keepOpenMs: 60_000 });
      const seen: unknown[] = [];
      const unsubscribe = client.subscribe(
        { query: ChatStreamDocument.toString(), variables: chatInput() },
        { next: (p) => void seen.push(p), error: () => undefined, complete: () => undefined },
      );
      await eventually(() => sim().stats().activeStreams === 1, 2000, 'the stream to start');
      unsubscribe();
      await eventually(() => sim().stats().abortedStreams === aborted + 1, 2000, 'the simulator to see the stream aborted');
      await idle(pool);
      expect(seen).toEqual([]);
      expect(sim().stats().tokensAfterAbort).toBe(0);
      await client.dispose();
    });

    it('stops the generation upstream when the HTTP client of chat disconnects', async () => {
      sim().setTiming({ timePerTokenMs: 20 });
      const aborted = sim().stats().abortedGenerations;
      const controller = new AbortController();
      const request = post(pool.url, ChatDocument, chatInput({ maxTokens: 500 }), { signal: controller.signal }).catch(() => 'left');
      await eventually(() => sim().stats().activeGenerations === 1, 2000, 'the generation to start');
      controller.abort();
      expect(await request).toBe('left');
      await eventually(() => sim().stats().abortedGenerations === aborted + 1, 2000, 'the simulator to see the abort');
      await idle(pool);
    });

    it('stops the generation upstream when a graphql-ws client completes its chat mutation before the answer', async () => {
      sim().setTiming({ timePerTokenMs: 10 });
      const aborted = sim().stats().abortedGenerations;
      const client = wsClient(pool.wsUrl, { keepOpenMs: 60_000 });
      const cancel = client.subscribe(
        { query: ChatDocument.toString(), variables: chatInput({ maxTokens: 300 }) },
        { next: () => undefined, error: () => undefined, complete: () => undefined },
      );
      await eventually(() => sim().stats().activeGenerations === 1, 2000, 'the generation to start');
      cancel(); // sends `complete` for the running mutation
      await eventually(() => sim().stats().abortedGenerations === aborted + 1, 2000, 'the simulator to see the abort');
      await idle(pool);
      await client.dispose();
    });

    it.each(TRANSPORTS)('ends with UPSTREAM_ERROR, after the deltas already sent, when the server fails mid-stream (%s)', async (transport) => {
      sim().setFaults({ errorAfterTokens: 3 });
      const before = chatCalls();
      const payloads = await subscribe(transport, pool, ChatStreamDocument, chatInput());
      expect(payloads).toHaveLength(4);
      expect(eventsOf(payloads).map((e) => e.index)).toEqual([1, 2, 3]);
      expect(eventsOf(payloads).every((e) => e.finishReason === null)).toBe(true);
      const error = payloads[3]!.errors![0]!;
      expect(error.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', requestId: expect.any(String) });
      // The server's own text (CUDA, shard internals) is masked.
      expect(error.message).toBe('the model server failed during generation (generation)');
      expect(JSON.stringify(payloads)).not.toMatch(UPSTREAM_TEXT);
      // Nothing is retried once deltas went out.
      expect(chatCalls()).toBe(before + 1);
    });

    it.each(TRANSPORTS)('ends with UPSTREAM_ERROR after the deltas already sent when the connection drops mid-stream (%s)', async (transport) => {
      sim().setFaults({ dropAfterTokens: 2 });
      const before = chatCalls();
      const payloads = await subscribe(transport, pool, ChatStreamDocument, chatInput());
      expect(eventsOf(payloads).map((e) => e.index)).toEqual([1, 2]);
      expect(codes(payloads)).toEqual(['UPSTREAM_ERROR']);
      expect(payloads.at(-1)!.errors).toBeDefined();
      expect(chatCalls()).toBe(before + 1);
    });

    it('answers a chat the server fails with UPSTREAM_ERROR, its text masked', async () => {
      sim().setFaults({ errorAfterTokens: 2 });
      const { data, errors } = await post(pool.url, ChatDocument, chatInput());
      expect(data ?? null).toBeNull();
      expect(errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', requestId: expect.any(String) });
      expect(JSON.stringify(errors)).not.toMatch(UPSTREAM_TEXT);
    });
  });
});
