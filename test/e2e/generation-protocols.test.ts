// generate and generateStream hold the same guarantees whatever the model's
// servers speak: TGI's native routes or an OpenAI-compatible /v1/completions.
// Why a generation ended, the usage the server reported, retries before the
// first token, the three timeouts, cancellation from client to server, and a
// failure after tokens that ends the stream with UPSTREAM_ERROR. Real
// simulators and a real gateway on loopback.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  GenerateDocument, GenerateStreamDocument, GenerateStreamWithUsageDocument, GenerateWithUsageDocument,
  type GenerateInput, type GenerateStreamWithUsageSubscription,
} from '../gql/graphql.ts';
import { post, type Result } from './clients.ts';
import { eventually } from './harness.ts';
import {
  callsTo, codes, idle, LEAVINGS, PROTOCOLS, ROUTES, startPool, subscribe, subscribeAndLeave, TRANSPORTS, type Pool,
} from './protocols.ts';

const generateInput = (over: Partial<GenerateInput> = {}): { input: GenerateInput } => ({
  input: { modelId: 'pool', prompt: 'Tell me about GPUs', maxNewTokens: 8, seed: 7, ...over },
});
type StreamEvent = GenerateStreamWithUsageSubscription['generateStream'];
const eventsOf = (payloads: Result<GenerateStreamWithUsageSubscription>[]): StreamEvent[] =>
  payloads.filter((p) => p.data).map((p) => p.data!.generateStream);
const UPSTREAM_TEXT = /CUDA|EngineCore|Tried to allocate|127\.0\.0\.1/;

/** Index from 1; only the last event carries text, details and usage. */
function expectWellFormed(events: StreamEvent[]): void {
  expect(events.map((e) => e.index)).toEqual(events.map((_, i) => i + 1));
  expect(events.slice(0, -1).every((e) => e.generatedText === null && e.details === null && e.usage === null)).toBe(true);
  expect(events.at(-1)!.details).not.toBeNull();
}

describe.each(PROTOCOLS)('generate and generateStream on a %s model', (protocol) => {
  describe('the answer', () => {
    let pool: Pool;
    beforeAll(async () => {
      pool = await startPool(protocol);
    });
    afterEach(async () => {
      pool.reset();
      await idle(pool);
    });
    afterAll(() => pool.stop());

    it(`reports the usage the server reported: ${protocol === 'tgi' ? "none from TGI's /generate" : 'from the completion'}, and on the last stream event`, async () => {
      const unary = (await post(pool.url, GenerateWithUsageDocument, generateInput())).data!.generate;
      // TGI's /generate says nothing of the prompt's length: no usage, rather than an estimate.
      if (protocol === 'tgi') expect(unary.usage).toBeNull();
      else expect(unary.usage).toMatchObject({ completionTokens: 8 });
      for (const transport of TRANSPORTS) {
        const events = eventsOf(await subscribe(transport, pool, GenerateStreamWithUsageDocument, generateInput()));
        expectWellFormed(events);
        const usage = events.at(-1)!.usage!;
        expect(usage.completionTokens).toBe(8);
        expect(usage.promptTokens).toBeGreaterThan(0);
        expect(usage.totalTokens).toBe(usage.promptTokens + 8);
        if (protocol === 'openai') expect(usage).toEqual(unary.usage);
        expect(events.at(-1)!.generatedText).toBe(unary.generatedText);
      }
    });

    it('says LENGTH, EOS_TOKEN or STOP_SEQUENCE alike over HTTP, graphql-ws and SSE', async () => {
      const free = eventsOf(await subscribe('sse', pool, GenerateStreamWithUsageDocument, generateInput({ maxNewTokens: 12 })));
      const stop = free[5]!.token.text;
      const cases: [string, Partial<GenerateInput>][] = [
        ['LENGTH', { maxNewTokens: 3 }],
        ['EOS_TOKEN', { maxNewTokens: null }],
        ['STOP_SEQUENCE', { maxNewTokens: 12, stop: [stop] }],
      ];
      for (const [expected, over] of cases) {
        const unary = (await post(pool.url, GenerateWithUsageDocument, generateInput(over))).data!.generate;
        expect(unary.details.finishReason).toBe(expected);
        for (const transport of TRANSPORTS) {
          const events = eventsOf(await subscribe(transport, pool, GenerateStreamWithUsageDocument, generateInput(over)));
          expectWellFormed(events);
          expect(events.at(-1)!.details!.finishReason).toBe(expected);
          expect(events.at(-1)!.generatedText).toBe(unary.generatedText);
        }
      }
    });

    it('puts the prompt before the text when returnFullText is asked, streamed or not', async () => {
      const plain = (await post(pool.url, GenerateDocument, generateInput())).data!.generate.generatedText;
      const full = (await post(pool.url, GenerateDocument, generateInput({ returnFullText: true }))).data!.generate.generatedText;
      expect(full).toBe(`Tell me about GPUs${plain}`);
      const last = eventsOf(await subscribe('graphql-ws', pool, GenerateStreamWithUsageDocument, generateInput({ returnFullText: true }))).at(-1)!;
      expect(last.generatedText).toBe(full);
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
    const served = (i: number) => callsTo([pool.sims[i]!], ROUTES[protocol].generate) + (protocol === 'tgi' ? callsTo([pool.sims[i]!], ROUTES.tgi.generateStream) : 0);

    it.each([
      ['answers 503', { httpStatus: 503 }],
      ['has a full queue', { overloaded: true }],
      ['answers 429', { httpStatus: 429 }],
      ['refuses connections', { refuseConnections: true }],
    ])('take another replica when one %s', async (_what, fault) => {
      pool.sims[0]!.setFaults(fault);
      const faulty = served(0);
      const healthy = served(1);
      for (let i = 0; i < 3; i++) {
        expect((await post(pool.url, GenerateDocument, generateInput())).errors).toBeUndefined();
        for (const transport of TRANSPORTS) {
          const payloads = await subscribe(transport, pool, GenerateStreamDocument, generateInput());
          expect(codes(payloads)).toEqual([]);
          expect(payloads).toHaveLength(8);
        }
      }
      expect(served(0)).toBeGreaterThan(faulty);
      expect(served(1) - healthy).toBe(9);
    });

    it.each([
      ['answered 503', { httpStatus: 503 }, 'UPSTREAM_UNAVAILABLE'],
      ['answered 429', { httpStatus: 429 }, 'UPSTREAM_OVERLOADED'],
      // A full queue: TGI says 429 (in-band on its streams), an OpenAI-compatible server 503.
      ['is full', { overloaded: true }, protocol === 'tgi' ? 'UPSTREAM_OVERLOADED' : 'UPSTREAM_UNAVAILABLE'],
    ])('when every replica %s, answers %s', async (_what, fault, expected) => {
      for (const s of pool.sims) s.setFaults(fault);
      expect(codes([await post(pool.url, GenerateDocument, generateInput())])).toEqual([expected]);
      for (const transport of TRANSPORTS) {
        expect(codes(await subscribe(transport, pool, GenerateStreamDocument, generateInput()))).toEqual([expected]);
      }
      expect(served(0)).toBeGreaterThan(0);
      expect(served(1)).toBeGreaterThan(0);
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
    const streamCalls = () => callsTo(pool.sims, ROUTES[protocol].generateStream);

    it('ends with UPSTREAM_TIMEOUT when no first token comes in time, and aborts the server request', async () => {
      sim().setFaults({ stallBeforeHeaders: true });
      expect(codes([await post(pool.url, GenerateDocument, generateInput())])).toEqual(['UPSTREAM_TIMEOUT']);
      for (const transport of TRANSPORTS) {
        expect(codes(await subscribe(transport, pool, GenerateStreamDocument, generateInput()))).toEqual(['UPSTREAM_TIMEOUT']);
      }
      await idle(pool);
      expect(sim().stats().abortedGenerations + sim().stats().abortedStreams).toBeGreaterThanOrEqual(3);
    });

    it.each(TRANSPORTS)('ends a stream that goes silent between tokens with UPSTREAM_TIMEOUT after its tokens (%s)', async (transport) => {
      sim().setFaults({ stallAfterTokens: 3 });
      const payloads = await subscribe(transport, pool, GenerateStreamDocument, generateInput());
      // Every token the server sent reaches the client, on either protocol: none is held back.
      expect(payloads.filter((p) => p.data).map((p) => p.data!.generateStream.index)).toEqual([1, 2, 3]);
      expect(codes(payloads)).toEqual(['UPSTREAM_TIMEOUT']);
    });

    it('bounds the whole generation by UPSTREAM_TIMEOUT_MS', async () => {
      const slow = await startPool(protocol, { sim: { timePerTokenMs: 40 }, env: { UPSTREAM_TIMEOUT_MS: '300' } });
      try {
        expect(codes([await post(slow.url, GenerateDocument, generateInput({ maxNewTokens: 100 }))])).toEqual(['UPSTREAM_TIMEOUT']);
        for (const transport of TRANSPORTS) {
          const payloads = await subscribe(transport, slow, GenerateStreamDocument, generateInput({ maxNewTokens: 100 }));
          expect(payloads.length).toBeGreaterThan(2);
          expect(codes(payloads)).toEqual(['UPSTREAM_TIMEOUT']);
        }
        await idle(slow);
      } finally {
        await slow.stop();
      }
    });

    it.each(LEAVINGS)('stops the generation upstream when the client %s', async (leaving) => {
      const aborted = sim().stats().abortedStreams;
      const { payloads, close } = await subscribeAndLeave(leaving, pool, GenerateStreamDocument, generateInput({ maxNewTokens: 1000 }), 3);
      expect(payloads.map((p) => p.data!.generateStream.index)).toEqual([1, 2, 3]);
      await eventually(() => sim().stats().abortedStreams === aborted + 1, 2000, 'the simulator to see the stream aborted');
      await idle(pool);
      await close();
    });

    it('stops the generation upstream when the HTTP client of generate disconnects', async () => {
      sim().setTiming({ timePerTokenMs: 20 });
      const aborted = sim().stats().abortedGenerations;
      const controller = new AbortController();
      const request = post(pool.url, GenerateDocument, generateInput({ maxNewTokens: 500 }), { signal: controller.signal }).catch(() => 'left');
      await eventually(() => sim().stats().activeGenerations === 1, 2000, 'the generation to start');
      controller.abort();
      expect(await request).toBe('left');
      await eventually(() => sim().stats().abortedGenerations === aborted + 1, 2000, 'the simulator to see the abort');
    });

    it.each(TRANSPORTS)('ends with UPSTREAM_ERROR after the tokens already sent when the server fails mid-stream, its text masked (%s)', async (transport) => {
      sim().setFaults({ errorAfterTokens: 4 });
      const before = streamCalls();
      const payloads = await subscribe(transport, pool, GenerateStreamDocument, generateInput());
      const tokens = payloads.filter((p) => p.data).map((p) => p.data!.generateStream);
      // Every token the server sent before failing, then the error.
      expect(tokens.map((t) => t.index)).toEqual([1, 2, 3, 4]);
      expect(tokens.every((t) => t.details === null)).toBe(true);
      expect(payloads).toHaveLength(5);
      const error = payloads.at(-1)!.errors![0]!;
      expect(error.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', requestId: expect.any(String) });
      expect(error.message).toBe('the model server failed during generation (generation)');
      expect(JSON.stringify(payloads)).not.toMatch(UPSTREAM_TEXT);
      expect(streamCalls()).toBe(before + 1);
    });

    it.each(TRANSPORTS)('ends with UPSTREAM_ERROR when the connection drops mid-stream, without a retry (%s)', async (transport) => {
      sim().setFaults({ dropAfterTokens: 3 });
      const before = streamCalls();
      const payloads = await subscribe(transport, pool, GenerateStreamDocument, generateInput());
      expect(payloads.filter((p) => p.data).map((p) => p.data!.generateStream.index)).toEqual([1, 2, 3]);
      expect(codes(payloads)).toEqual(['UPSTREAM_ERROR']);
      expect(payloads.at(-1)!.errors).toBeDefined();
      expect(streamCalls()).toBe(before + 1);
    });

    it('answers a generation the server fails with UPSTREAM_ERROR, its text masked', async () => {
      sim().setFaults({ errorAfterTokens: 2 });
      const { errors } = await post(pool.url, GenerateDocument, generateInput());
      expect(errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', requestId: expect.any(String) });
      expect(JSON.stringify(errors)).not.toMatch(UPSTREAM_TEXT);
    });
  });
});

describe('the same request on both protocols', () => {
  let pools: Record<(typeof PROTOCOLS)[number], Pool>;
  beforeAll(async () => {
    const [tgi, openai] = await Promise.all(PROTOCOLS.map((p) => startPool(p)));
    pools = { tgi: tgi!, openai: openai! };
  });
  afterAll(async () => {
    for (const pool of Object.values(pools)) {
      await idle(pool);
      await pool.stop();
    }
  });

  it('generates the same text, tokens and counts (the simulators draw the same tokens for the same parameters)', async () => {
    const answers = await Promise.all(PROTOCOLS.map(async (p) => {
      const unary = (await post(pools[p].url, GenerateWithUsageDocument, generateInput({ maxNewTokens: 10 }))).data!.generate;
      const events = eventsOf(await subscribe('sse', pools[p], GenerateStreamWithUsageDocument, generateInput({ maxNewTokens: 10 })));
      return { text: unary.generatedText, details: unary.details, tokens: events.map((e) => e.token.text), usage: events.at(-1)!.usage };
    }));
    expect(answers[1]).toEqual(answers[0]);
  });
});
