// A model whose replicas speak the OpenAI-compatible API (TGI_<KEY>_PROTOCOL=openai,
// here the simulator as vLLM), specified end to end: which routes are called with
// which `model`, the usage chunk asked for, the parameter rules that differ from
// TGI's, health, the API key, and the REST route. Where a rule holds on both
// protocols it runs on both.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { getIntrospectionQuery } from 'graphql';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ChatDocument, ChatStreamDocument, GenerateDocument, GenerateStreamDocument, GenerateStreamWithUsageDocument, GenerateWithUsageDocument,
  ModelsDocument, TypedDocumentString, type GenerateInput, type GenerateStreamWithUsageSubscription,
} from '../gql/graphql.ts';
import { startSimulator, type Simulator } from '../../src/simulator/index.ts';
import { post, type Result } from './clients.ts';
import { eventually, settled, startGateway } from './harness.ts';
import {
  callsTo, codes, generationCalls, idle, PROTOCOLS, ROUTES, startLoggedGateway, startPool, subscribe, TRANSPORTS, type Pool, type PoolOptions, type Protocol,
} from './protocols.ts';

const generateInput = (over: Partial<GenerateInput> = {}): { input: GenerateInput } => ({
  input: { modelId: 'pool', prompt: 'Why is the sky blue?', maxNewTokens: 6, seed: 42, ...over },
});
const chatInput = (over: Record<string, unknown> = {}) => ({
  input: { modelId: 'pool', messages: [{ role: 'USER' as const, content: 'Hello there' }], maxTokens: 5, seed: 3, ...over },
});
type StreamEvent = GenerateStreamWithUsageSubscription['generateStream'];
const eventsOf = (payloads: Result<GenerateStreamWithUsageSubscription>[]): StreamEvent[] =>
  payloads.filter((p) => p.data).map((p) => p.data!.generateStream);

const rest = (url: string, body: unknown, init: { signal?: AbortSignal } = {}) => fetch(`${url}/generate`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: init.signal,
});

describe('an OpenAI-compatible model', () => {
  let pool: Pool;
  beforeAll(async () => {
    pool = await startPool('openai', { sim: { servedModelName: 'tiny-served', modelId: 'org/tiny-llm' } });
  });
  afterEach(async () => {
    pool.reset();
    await idle(pool);
  });
  afterAll(() => pool.stop());
  const sim = () => pool.sims[0]!;

  it('generate calls POST /v1/completions, naming the first model of /v1/models, and returns the usage the server reported', async () => {
    const { data, errors } = await post(pool.url, GenerateWithUsageDocument, generateInput());
    expect(errors).toBeUndefined();
    expect(data!.generate.details).toEqual({ finishReason: 'LENGTH', generatedTokens: 6 });
    expect(data!.generate.generatedText.length).toBeGreaterThan(0);
    expect(callsTo(pool.sims, 'GET /v1/models')).toBeGreaterThan(0);
    const sent = sim().lastRequest('POST /v1/completions')!.body as Record<string, unknown>;
    expect(sent).toMatchObject({ model: 'tiny-served', prompt: 'Why is the sky blue?', max_tokens: 6, stream: false });
    // What the server itself reports for that very body.
    const direct = await fetch(`${sim().url}/v1/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(sent) });
    const answer = (await direct.json()) as { usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number }; choices: { text: string }[] };
    expect(data!.generate.usage).toEqual({
      promptTokens: answer.usage.prompt_tokens, completionTokens: answer.usage.completion_tokens, totalTokens: answer.usage.total_tokens,
    });
    expect(data!.generate.generatedText).toBe(answer.choices[0]!.text);
    // None of TGI's routes exist there, and none was called.
    expect(sim().stats().requestsByRoute.other ?? 0).toBe(0);
  });

  it.each(TRANSPORTS)(
    'generateStream over %s calls POST /v1/completions with stream_options.include_usage, and only its last event carries the usage',
    async (transport) => {
      const unary = (await post(pool.url, GenerateWithUsageDocument, generateInput({ maxNewTokens: 10 }))).data!.generate;
      const events = eventsOf(await subscribe(transport, pool, GenerateStreamWithUsageDocument, generateInput({ maxNewTokens: 10 })));
      expect(sim().lastRequest('POST /v1/completions')!.body).toMatchObject({ model: 'tiny-served', stream: true, stream_options: { include_usage: true } });
      expect(events.map((e) => e.index)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
      expect(events.slice(0, -1).every((e) => e.usage === null && e.details === null && e.generatedText === null)).toBe(true);
      const last = events.at(-1)!;
      expect(last.usage).toEqual(unary.usage);
      expect(last.details).toMatchObject({ finishReason: 'LENGTH', generatedTokens: 10 });
      expect(events.map((e) => e.token.text).join('')).toBe(last.generatedText);
      expect(last.generatedText).toBe(unary.generatedText);
    },
  );

  it('chat calls POST /v1/chat/completions naming the served model; chatStream asks for the usage chunk', async () => {
    const { data, errors } = await post(pool.url, ChatDocument, chatInput());
    expect(errors).toBeUndefined();
    expect(data!.chat.usage).toMatchObject({ completionTokens: 5 });
    expect(sim().lastRequest('POST /v1/chat/completions')!.body).toMatchObject({
      model: 'tiny-served', messages: [{ role: 'user', content: 'Hello there' }], max_tokens: 5, stream: false,
    });
    const payloads = await subscribe('sse', pool, ChatStreamDocument, chatInput());
    expect(payloads.map((p) => p.data!.chatStream.delta).join('')).toBe(data!.chat.message.content);
    expect(sim().lastRequest('POST /v1/chat/completions')!.body).toMatchObject({
      model: 'tiny-served', stream: true, stream_options: { include_usage: true },
    });
  });

  it('says STOP_SEQUENCE when the server names the stop string that matched, EOS_TOKEN when the model ended', async () => {
    const tokens = eventsOf(await subscribe('sse', pool, GenerateStreamWithUsageDocument, generateInput({ maxNewTokens: 12 })));
    const free = { generatedText: tokens.at(-1)!.generatedText! };
    // The simulator, like TGI, tests for a stop string at the end of each token.
    const stop = tokens[5]!.token.text;
    const stopped = (await post(pool.url, GenerateWithUsageDocument, generateInput({ maxNewTokens: 12, stop: [stop] }))).data!.generate;
    expect(stopped.details.finishReason).toBe('STOP_SEQUENCE');
    // vLLM cuts the stop string off.
    expect(free.generatedText.startsWith(stopped.generatedText + stop)).toBe(true);
    const ended = (await post(pool.url, GenerateWithUsageDocument, generateInput({ maxNewTokens: null }))).data!.generate;
    expect(ended.details.finishReason).toBe('EOS_TOKEN');
    for (const transport of TRANSPORTS) {
      const last = eventsOf(await subscribe(transport, pool, GenerateStreamWithUsageDocument, generateInput({ maxNewTokens: 12, stop: [stop] }))).at(-1)!;
      expect(last.details!.finishReason).toBe('STOP_SEQUENCE');
      expect(last.generatedText).toBe(stopped.generatedText);
    }
  });

  it('REST POST /generate calls /v1/completions and answers the text and model id', async () => {
    const res = await rest(pool.url, { model_id: 'pool', prompt: 'Why is the sky blue?', max_new_tokens: 6, seed: 42 });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { generated_text: string; model_id: string };
    expect(body.model_id).toBe('pool');
    expect(sim().lastRequest('POST /v1/completions')!.body).toMatchObject({ model: 'tiny-served', prompt: 'Why is the sky blue?', max_tokens: 6, stream: false });
    const graphql = (await post(pool.url, GenerateDocument, generateInput())).data!.generate;
    expect(body.generated_text).toBe(graphql.generatedText);
  });

  it('REST POST /generate maps upstream failures to their statuses, and a client that hangs up stops the generation', async () => {
    sim().setFaults({ httpStatus: 503 });
    expect((await rest(pool.url, { model_id: 'pool', prompt: 'x', max_new_tokens: 3 })).status).toBe(503);
    sim().setFaults({ httpStatus: 429 });
    const overloaded = await rest(pool.url, { model_id: 'pool', prompt: 'x', max_new_tokens: 3 });
    expect(overloaded.status).toBe(429);
    expect(overloaded.headers.get('retry-after')).toBeTruthy();
    sim().clearFaults();
    sim().setTiming({ timePerTokenMs: 20 });
    const aborted = sim().stats().abortedGenerations;
    const controller = new AbortController();
    const answer = rest(pool.url, { model_id: 'pool', prompt: 'x', max_new_tokens: 500 }, { signal: controller.signal }).catch(() => 'left');
    await eventually(() => sim().stats().activeGenerations === 1, 2000, 'the generation to start');
    controller.abort();
    expect(await answer).toBe('left');
    await eventually(() => sim().stats().abortedGenerations === aborted + 1, 2000, 'the simulator to see the abort');
  });
});

describe('TGI_<KEY>_UPSTREAM_MODEL', () => {
  it('is the model sent, rather than the first id of /v1/models', async () => {
    const sim = await startSimulator({ protocol: 'openai', servedModelName: 'org/served', timeToFirstTokenMs: 1, timePerTokenMs: 1 });
    const right = await startGateway({ POOL: [sim] }, { TGI_POOL_PROTOCOL: 'openai', TGI_POOL_UPSTREAM_MODEL: 'org/served' });
    const wrong = await startGateway({ POOL: [sim] }, { TGI_POOL_PROTOCOL: 'openai', TGI_POOL_UPSTREAM_MODEL: 'org/other', RETRY_MAX_ATTEMPTS: '1' });
    try {
      expect((await post(right.url, GenerateDocument, generateInput())).errors).toBeUndefined();
      expect(sim.lastRequest('POST /v1/completions')!.body).toMatchObject({ model: 'org/served' });
      expect((await post(right.url, ChatDocument, chatInput())).errors).toBeUndefined();
      expect(sim.lastRequest('POST /v1/chat/completions')!.body).toMatchObject({ model: 'org/served' });
      // Configured, it is sent even though the server lists another: the server's 404 is the answer.
      const { errors } = await post(wrong.url, GenerateDocument, generateInput());
      expect(sim.lastRequest('POST /v1/completions')!.body).toMatchObject({ model: 'org/other' });
      expect(errors![0]!.extensions!.code).toBe('UPSTREAM_ERROR');
      await settled(right.app, [sim]);
      await settled(wrong.app, [sim]);
    } finally {
      await right.app.stop(0);
      await wrong.app.stop(0);
      await sim.close();
    }
  });
});

describe('the model named to a TGI replica', () => {
  it("is TGI_<KEY>_UPSTREAM_MODEL on chat requests, 'tgi' without it; generate names none", async () => {
    const sim = await startSimulator({ timeToFirstTokenMs: 1, timePerTokenMs: 1 });
    const plain = await startGateway({ POOL: [sim] });
    const named = await startGateway({ POOL: [sim] }, { TGI_POOL_UPSTREAM_MODEL: 'org/tiny-llm' });
    try {
      expect((await post(plain.url, ChatDocument, chatInput())).errors).toBeUndefined();
      expect(sim.lastRequest('POST /v1/chat/completions')!.body).toMatchObject({ model: 'tgi' });
      expect(codes(await subscribe('sse', named, ChatStreamDocument, chatInput()))).toEqual([]);
      expect(sim.lastRequest('POST /v1/chat/completions')!.body).toMatchObject({ model: 'org/tiny-llm' });
      expect((await post(named.url, GenerateDocument, generateInput())).errors).toBeUndefined();
      expect(sim.lastRequest('POST /generate')!.body).not.toHaveProperty('model');
      await settled(plain.app, [sim]);
      await settled(named.app, [sim]);
    } finally {
      await plain.app.stop(0);
      await named.app.stop(0);
      await sim.close();
    }
  });
});

describe('an OpenAI-compatible endpoint configured with its /v1 suffix', () => {
  it('is the server root: /health and /metrics beside /v1, the generation routes under it', async () => {
    const sim = await startSimulator({ protocol: 'openai', timeToFirstTokenMs: 1, timePerTokenMs: 1 });
    const gateway = await startGateway({ POOL: `${sim.url}/v1` }, { TGI_POOL_PROTOCOL: 'openai' });
    try {
      expect((await post(gateway.url, ModelsDocument)).data!.models[0]!.available).toBe(true);
      expect((await post(gateway.url, GenerateDocument, generateInput())).errors).toBeUndefined();
      expect((await post(gateway.url, ChatDocument, chatInput())).errors).toBeUndefined();
      expect(sim.stats().requestsByRoute.other ?? 0).toBe(0);
      expect(new Set(sim.requests().map((r) => r.route))).toEqual(new Set(['GET /health', 'GET /metrics', 'GET /v1/models', 'POST /v1/completions', 'POST /v1/chat/completions']));
      await settled(gateway.app, [sim]);
    } finally {
      await gateway.app.stop(0);
      await sim.close();
    }
  });
});

describe.each(PROTOCOLS)('generate parameters on a %s model', (protocol) => {
  let pool: Pool;
  beforeAll(async () => {
    pool = await startPool(protocol);
  });
  afterEach(async () => {
    pool.reset();
    await idle(pool);
  });
  afterAll(() => pool.stop());
  const sentParameters = () => {
    const body = pool.sims[0]!.lastRequest(ROUTES[protocol].generate)!.body as Record<string, unknown>;
    return (protocol === 'tgi' ? body.parameters : body) as Record<string, unknown>;
  };

  /** Every way to ask: GraphQL over HTTP, graphql-ws, SSE, and REST; each answer's error code and field. */
  async function everyWay(over: Partial<GenerateInput>, restOver: Record<string, unknown>) {
    const answers: { code: string | undefined; field?: string | undefined }[] = [];
    const unary = await post(pool.url, GenerateDocument, generateInput(over));
    answers.push({ code: unary.errors?.[0]?.extensions?.code, field: unary.errors?.[0]?.extensions?.field });
    for (const transport of TRANSPORTS) {
      const payloads = await subscribe(transport, pool, GenerateStreamDocument, generateInput(over));
      answers.push({ code: payloads[0]!.errors?.[0]?.extensions?.code, field: payloads[0]!.errors?.[0]?.extensions?.field });
    }
    const res = await rest(pool.url, { model_id: 'pool', prompt: 'Why is the sky blue?', max_new_tokens: 6, seed: 42, ...restOver });
    const body = (await res.json()) as { detail?: string };
    return { answers, rest: { status: res.status, detail: body.detail ?? '' } };
  }

  const acceptedOn = (which: Protocol) => (which === protocol ? 'accepted' : 'refused');

  it(`temperature 0 is ${acceptedOn('openai')} (greedy on openai, refused by TGI's rules)`, async () => {
    const before = generationCalls(pool.sims);
    const { answers, rest: r } = await everyWay({ temperature: 0 }, { temperature: 0 });
    if (protocol === 'tgi') {
      expect(answers).toEqual(Array(3).fill({ code: 'BAD_USER_INPUT', field: 'temperature' }));
      expect(r.status).toBe(422);
      expect(r.detail).toMatch(/temperature/);
      expect(generationCalls(pool.sims)).toBe(before);
      return;
    }
    expect(answers).toEqual(Array(3).fill({ code: undefined, field: undefined }));
    expect(r.status).toBe(200);
    expect(sentParameters().temperature).toBe(0);
    // Greedy: the seed changes nothing.
    const a = await post(pool.url, GenerateDocument, generateInput({ temperature: 0, seed: 1 }));
    const b = await post(pool.url, GenerateDocument, generateInput({ temperature: 0, seed: 2 }));
    expect(a.data!.generate.generatedText).toBe(b.data!.generate.generatedText);
  });

  it(`topP 1 is ${acceptedOn('openai')}`, async () => {
    const before = generationCalls(pool.sims);
    const { answers, rest: r } = await everyWay({ topP: 1 }, { top_p: 1 });
    if (protocol === 'tgi') {
      expect(answers).toEqual(Array(3).fill({ code: 'BAD_USER_INPUT', field: 'topP' }));
      expect(r.status).toBe(422);
      expect(r.detail).toMatch(/top_p/);
      expect(generationCalls(pool.sims)).toBe(before);
      return;
    }
    expect(answers).toEqual(Array(3).fill({ code: undefined, field: undefined }));
    expect(r.status).toBe(200);
    expect(sentParameters().top_p).toBe(1);
  });

  it.each([
    ['typicalP', 'typical_p', { typicalP: 0.5 }, { typical_p: 0.5 }],
    ['watermark', 'watermark', { watermark: true }, { watermark: true }],
  ] as const)(`%s is ${acceptedOn('tgi')}, naming the field when refused, before any upstream call`, async (field, wire, over, restOver) => {
    const before = generationCalls(pool.sims);
    const { answers, rest: r } = await everyWay(over, restOver);
    if (protocol === 'openai') {
      expect(answers).toEqual(Array(3).fill({ code: 'BAD_USER_INPUT', field }));
      expect(r.status).toBe(422);
      expect(r.detail).toContain(wire);
      expect(generationCalls(pool.sims)).toBe(before);
      return;
    }
    expect(answers).toEqual(Array(3).fill({ code: undefined, field: undefined }));
    expect(r.status).toBe(200);
    expect(sentParameters()[wire]).toBe(restOver[wire as keyof typeof restOver]);
  });

  it('refuses a bad temperature, topP or maxNewTokens on every protocol before any upstream call', async () => {
    const before = generationCalls(pool.sims);
    for (const [field, over, restOver] of [
      ['temperature', { temperature: -1 }, { temperature: -1 }],
      ['topP', { topP: 1.5 }, { top_p: 1.5 }],
      ['maxNewTokens', { maxNewTokens: 0 }, { max_new_tokens: 0 }],
    ] as const) {
      const { answers, rest: r } = await everyWay(over, restOver);
      expect(answers).toEqual(Array(3).fill({ code: 'BAD_USER_INPUT', field }));
      expect(r.status).toBe(422);
    }
    expect(generationCalls(pool.sims)).toBe(before);
  });
});

describe('health of an OpenAI-compatible replica', () => {
  const pools: Pool[] = [];
  afterEach(async () => {
    for (const p of pools.splice(0)) {
      await idle(p);
      await p.stop();
    }
  });
  async function replicaOf(sim: PoolOptions['sim'], env: Record<string, string> = {}) {
    const pool = await startPool('openai', { sim, env: { HEALTH_PROBE_TIMEOUT_MS: '300', ...env } });
    pools.push(pool);
    const { data } = await post(pool.url, ModelsDocument);
    return { pool, model: data!.models[0]! };
  }

  it('is HEALTHY when /health answers 200 and /v1/models names a model', async () => {
    const { pool, model } = await replicaOf({});
    expect(model).toMatchObject({ available: true, hfName: 'simulator/tiny-llm', health: { status: 'AVAILABLE', healthy: true, error: null } });
    expect(model.replicas[0]!.state).toBe('HEALTHY');
    expect(callsTo(pool.sims, 'GET /health')).toBeGreaterThan(0);
  });

  it('is read from /v1/models when /health answers 404 (a server without it)', async () => {
    const { pool, model } = await replicaOf({ health: false });
    expect(model).toMatchObject({ available: true, health: { status: 'AVAILABLE', healthy: true } });
    const routes = pool.sims[0]!.requests().map((r) => r.route);
    const probe = routes.indexOf('GET /health');
    expect(probe).toBeGreaterThanOrEqual(0);
    expect(routes.slice(probe + 1)).toContain('GET /v1/models');
    expect((await post(pool.url, GenerateDocument, generateInput())).errors).toBeUndefined();
  });

  it('is UNHEALTHY when /health answers 503', async () => {
    const { model } = await replicaOf({ faults: { unhealthy: true } });
    expect(model).toMatchObject({ available: false, health: { status: 'UNAVAILABLE', healthy: false } });
    expect(model.replicas[0]!.state).toBe('UNHEALTHY');
  });

  it.each([
    ['hangs', { faults: { stallInfo: true } }, {}],
    ['answers 401', { apiKey: 'the-right-key' }, { TGI_POOL_API_KEY: 'not-the-right-key' }],
  ] as const)('is not HEALTHY when /v1/models %s, though /health answers 200', async (_what, sim, env) => {
    const { model } = await replicaOf(sim, env);
    expect(model.available).toBe(false);
    expect(model.health.healthy).toBe(false);
    expect(model.replicas[0]!.state).not.toBe('HEALTHY');
  });

  it('takes no request while its /v1/models fails: the other replica serves them all', async () => {
    const good = await startSimulator({ protocol: 'openai', timeToFirstTokenMs: 1, timePerTokenMs: 1 });
    const stalled = await startSimulator({ protocol: 'openai', timeToFirstTokenMs: 1, timePerTokenMs: 1, faults: { stallInfo: true } });
    const gateway = await startGateway({ POOL: [good, stalled] }, { TGI_POOL_PROTOCOL: 'openai', HEALTH_PROBE_TIMEOUT_MS: '300' });
    try {
      const { data } = await post(gateway.url, ModelsDocument);
      expect(data!.models[0]!.available).toBe(true);
      expect(data!.models[0]!.replicas.map((r) => r.state)).toEqual(['HEALTHY', 'UNHEALTHY']);
      for (let i = 0; i < 3; i++) {
        expect((await post(gateway.url, GenerateDocument, generateInput())).errors).toBeUndefined();
        expect(codes(await subscribe('sse', gateway, ChatStreamDocument, chatInput()))).toEqual([]);
      }
      expect(generationCalls([good])).toBe(6);
      expect(generationCalls([stalled])).toBe(0);
      await settled(gateway.app, [good]);
    } finally {
      await gateway.app.stop(0);
      await good.close();
      await stalled.close();
    }
  });

  it('is not HEALTHY when /health answers 404 and /v1/models fails too', async () => {
    const { model } = await replicaOf({ health: false, faults: { stallInfo: true } });
    expect(model.available).toBe(false);
    expect(model.replicas[0]!.state).not.toBe('HEALTHY');
  });
});

const KEY = 'sk-e2e-5f1d0c9a7b3e4d2f8a6c';

describe.each(PROTOCOLS)('TGI_<KEY>_API_KEY on a %s model', (protocol) => {
  it('goes as Authorization: Bearer on every request to the replica, health probes and limits included', async () => {
    const pool = await startPool(protocol, { sim: { apiKey: KEY }, env: { TGI_POOL_API_KEY: KEY } });
    try {
      expect((await post(pool.url, ModelsDocument)).data!.models[0]!.available).toBe(true);
      expect((await post(pool.url, GenerateDocument, generateInput())).errors).toBeUndefined();
      expect(codes(await subscribe('graphql-ws', pool, GenerateStreamDocument, generateInput()))).toEqual([]);
      expect((await post(pool.url, ChatDocument, chatInput())).errors).toBeUndefined();
      expect(codes(await subscribe('sse', pool, ChatStreamDocument, chatInput()))).toEqual([]);
      expect((await rest(pool.url, { model_id: 'pool', prompt: 'Hi', max_new_tokens: 3 })).status).toBe(200);
      const seen = pool.sims[0]!.requests();
      const routes = new Set(seen.map((r) => r.route));
      for (const route of ['GET /health', ROUTES[protocol].limits, ROUTES[protocol].generate, ROUTES[protocol].generateStream, ROUTES[protocol].chat]) {
        expect(routes).toContain(route);
      }
      expect(seen.filter((r) => r.authorization !== `Bearer ${KEY}`)).toEqual([]);
      await idle(pool);
    } finally {
      await pool.stop();
    }
  });

  it('never appears in an error, a log line or the schema when the replica refuses it', async () => {
    const sim = await startSimulator({ protocol, apiKey: 'the-right-key', timeToFirstTokenMs: 1, timePerTokenMs: 1 });
    const gateway = await startLoggedGateway({ POOL: [sim] }, { TGI_POOL_PROTOCOL: protocol, TGI_POOL_API_KEY: KEY, HEALTH_CACHE_TTL_MS: '0' });
    try {
      const answers = await everyAnswer(gateway);
      expect(sim.requests().some((r) => r.authorization === `Bearer ${KEY}`)).toBe(true);
      expect(answers.errors.length).toBeGreaterThan(0);
      expect(answers.text).not.toContain(KEY);
      expect(gateway.log()).not.toContain(KEY);
      expect(gateway.log().length).toBeGreaterThan(0);
      await settled(gateway.app, [sim]);
    } finally {
      await gateway.app.stop(0);
      await sim.close();
    }
  });
});

describe.each(PROTOCOLS)('TGI_<KEY>_API_KEY on a %s model whose server echoes it back', (protocol) => {
  it('is blotted out of the messages that reach the client and the log', async () => {
    const echo = await startEchoServer(protocol);
    const gateway = await startLoggedGateway({ POOL: echo.url }, { TGI_POOL_PROTOCOL: protocol, TGI_POOL_API_KEY: KEY, HEALTH_CACHE_TTL_MS: '0' });
    try {
      const answers = await everyAnswer(gateway);
      expect([...echo.authorizations]).toEqual([`Bearer ${KEY}`]);
      // The echoed text still reaches the client (as BAD_USER_INPUT), the key in it does not.
      expect(answers.errors.length).toBeGreaterThan(0);
      expect(answers.text).not.toContain(KEY);
      expect(gateway.log()).not.toContain(KEY);
      expect(answers.text).toContain('[redacted]');
    } finally {
      await gateway.app.stop(0);
      await echo.close();
    }
  });
});

describe('an OpenAI-compatible server that reports no usage (as some llama.cpp builds)', () => {
  it('gives usage null on generate, generateStream, chat and chatStream, rather than an estimate', async () => {
    const server = await startUsagelessServer();
    const gateway = await startGateway({ POOL: server.url }, { TGI_POOL_PROTOCOL: 'openai' });
    try {
      const generate = (await post(gateway.url, GenerateWithUsageDocument, generateInput())).data!.generate;
      expect(generate).toMatchObject({ generatedText: ' one two three', details: { finishReason: 'LENGTH' }, usage: null });
      const chat = (await post(gateway.url, ChatDocument, chatInput())).data!.chat;
      expect(chat).toMatchObject({ message: { content: ' one two three' }, finishReason: 'EOS_TOKEN', usage: null });
      for (const transport of TRANSPORTS) {
        const tokens = eventsOf(await subscribe(transport, gateway, GenerateStreamWithUsageDocument, generateInput()));
        expect(tokens.map((t) => t.token.text)).toEqual([' one', ' two', ' three']);
        expect(tokens.at(-1)).toMatchObject({ generatedText: ' one two three', usage: null, details: { finishReason: 'LENGTH', generatedTokens: 3 } });
        const deltas = (await subscribe(transport, gateway, ChatStreamDocument, chatInput())).map((p) => p.data!.chatStream);
        expect(deltas.map((d) => d.delta)).toEqual([' one', ' two', ' three']);
        expect(deltas.at(-1)).toMatchObject({ finishReason: 'EOS_TOKEN', usage: null });
      }
      // It was asked for the usage chunk all the same.
      expect(server.streamOptions).toEqual(Array(4).fill({ include_usage: true }));
    } finally {
      await gateway.app.stop(0);
      await server.close();
    }
  });
});

/** Every operation of the gateway against model `pool`, over every transport, and what the schema and REST say about it. */
async function everyAnswer(gateway: { url: string; wsUrl: string }): Promise<{ errors: unknown[]; text: string }> {
  const errors: unknown[] = [];
  const texts: string[] = [];
  const keep = (result: unknown) => texts.push(JSON.stringify(result));
  const unary = [await post(gateway.url, GenerateDocument, generateInput()), await post(gateway.url, ChatDocument, chatInput())];
  for (const r of unary) {
    errors.push(...(r.errors ?? []));
    keep(r);
  }
  for (const transport of TRANSPORTS) {
    for (const payloads of [
      await subscribe(transport, gateway, GenerateStreamDocument, generateInput()),
      await subscribe(transport, gateway, ChatStreamDocument, chatInput()),
    ]) {
      errors.push(...payloads.flatMap((p) => p.errors ?? []));
      keep(payloads);
    }
  }
  const restAnswer = await rest(gateway.url, { model_id: 'pool', prompt: 'Hi', max_new_tokens: 3 });
  keep(await restAnswer.text());
  keep(await post(gateway.url, ModelsDocument));
  keep(await (await fetch(`${gateway.url}/models`)).text());
  keep(await (await fetch(`${gateway.url}/models/pool/health`)).text());
  const schema = await post(gateway.url, new TypedDocumentString<unknown, Record<string, never>>(getIntrospectionQuery()));
  expect(schema.errors).toBeUndefined();
  const fields = JSON.stringify(schema.data);
  expect(fields).not.toMatch(/apiKey|api_key|authorization|bearer/i);
  keep(schema);
  return { errors, text: texts.join('\n') };
}

/**
 * A misbehaving model server (no simulator does this): it answers every request with an
 * error quoting the Authorization header it got, as some proxies and servers do, in the
 * protocol's own error shapes. Only its limits (/info, /v1/models) are normal answers, so
 * that generations are attempted at all.
 */
async function startEchoServer(protocol: Protocol): Promise<{ url: string; authorizations: Set<string>; close: () => Promise<void> }> {
  const authorizations = new Set<string>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const auth = req.headers.authorization ?? '';
    authorizations.add(auth);
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      const said = (what: string) => `${what}; the request carried "${auth}"`;
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const events = (...payloads: unknown[]) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(payloads.map((p) => `data: ${typeof p === 'string' ? p : JSON.stringify(p)}\n\n`).join(''));
      };
      const body = (raw ? JSON.parse(raw) : {}) as { stream?: boolean };
      if (protocol === 'openai') {
        const error = (status: number, what: string) => ({ error: { message: said(what), type: 'BadRequestError', param: null, code: status } });
        if (req.url === '/v1/models') return json(200, { object: 'list', data: [{ id: 'echo', object: 'model', max_model_len: 4096, owned_by: 'echo' }] });
        if (req.url === '/health') return json(503, error(503, 'not ready'));
        if (!body.stream) return json(400, error(400, 'rejected'));
        return events(error(400, 'rejected in the stream'), '[DONE]');
      }
      const error = (type: string, what: string) => ({ error: said(what), error_type: type });
      if (req.url === '/info') {
        return json(200, {
          model_id: 'echo', max_concurrent_requests: 8, max_best_of: 1, max_stop_sequences: 4, max_input_tokens: 4095, max_total_tokens: 4096, version: 'echo',
        });
      }
      if (req.url === '/health') return json(503, error('healthcheck', 'not ready'));
      if (req.url === '/generate_stream') return events(error('validation', 'Input validation error: rejected in the stream'));
      if (req.url === '/v1/chat/completions' && body.stream) {
        return events({ error: { message: said('Input validation error: rejected in the stream'), http_status_code: 422 } }, '[DONE]');
      }
      return json(422, error('validation', 'Input validation error: rejected'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    authorizations,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/**
 * An OpenAI-compatible server that never reports usage, whatever it is asked: it answers
 * " one two three" to every completion (finish `length`) and chat (finish `stop`).
 */
async function startUsagelessServer(): Promise<{ url: string; streamOptions: unknown[]; close: () => Promise<void> }> {
  const streamOptions: unknown[] = [];
  const words = [' one', ' two', ' three'];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.url === '/health') return json(200, {});
      if (req.url === '/v1/models') return json(200, { object: 'list', data: [{ id: 'plain', object: 'model' }] });
      // A server without load gauges (the gateway asks for them every UPSTREAM_METRICS_INTERVAL_MS).
      if (req.method === 'GET') return json(404, { error: 'not found' });
      const body = JSON.parse(raw) as { stream?: boolean; stream_options?: unknown };
      const chat = req.url === '/v1/chat/completions';
      const finish = chat ? 'stop' : 'length';
      if (!body.stream) {
        const choice = chat
          ? { index: 0, message: { role: 'assistant', content: words.join('') }, finish_reason: finish }
          : { index: 0, text: words.join(''), finish_reason: finish };
        return json(200, { object: chat ? 'chat.completion' : 'text_completion', choices: [choice] });
      }
      streamOptions.push(body.stream_options);
      const chunks = words.map((word, i) => {
        const end = i === words.length - 1 ? finish : null;
        return chat ? { choices: [{ index: 0, delta: { content: word }, finish_reason: end }] } : { choices: [{ index: 0, text: word, finish_reason: end }] };
      });
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end([...chunks.map((c) => JSON.stringify(c)), '[DONE]'].map((data) => `data: ${data}\n\n`).join(''));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    streamOptions,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
