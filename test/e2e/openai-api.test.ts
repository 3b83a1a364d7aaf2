// The OpenAI-compatible API on the gateway (/v1), specified with the official
// `openai` SDK as its client, on both upstream protocols: models, chat
// completions and completions, unary and streaming, their errors, and a
// client that leaves. The text equals what GraphQL's chat and generate return
// for the same seeded request. Real simulators and a real gateway on loopback.
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChatDocument, GenerateWithUsageDocument } from '../gql/graphql.ts';
import { post } from './clients.ts';
import { eventually } from './harness.ts';
import { callsTo, idle, PROTOCOLS, ROUTES, startPool, type Pool } from './protocols.ts';

const MESSAGES = [
  { role: 'system', content: 'You answer in one paragraph.' },
  { role: 'user', content: 'Tell me about GPUs' },
] as const;
const SAMPLING = { max_tokens: 8, temperature: 0.8, top_p: 0.9, seed: 7 };
const GRAPHQL_SAMPLING = { maxTokens: 8, temperature: 0.8, topP: 0.9, seed: 7 };
const PROMPT = 'The capital of France is';
/** Upstream text a masked error must never carry: the simulators' own failure messages, their addresses. */
const UPSTREAM_TEXT = /CUDA|EngineCore|Tried to allocate|127\.0\.0\.1|stack|at \w+ \(/;

const client = (pool: Pool, options: Partial<ConstructorParameters<typeof OpenAI>[0]> = {}) =>
  new OpenAI({ baseURL: `${pool.url}/v1`, apiKey: 'unused', maxRetries: 0, ...options });

/** The SSE events of a /v1 stream exactly as sent, `[DONE]` included. */
async function rawEvents(pool: Pool, path: string, body: unknown): Promise<{ status: number; events: string[] }> {
  const res = await fetch(`${pool.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, events: text.split('\n\n').filter((e) => e !== '').map((e) => e.replace(/^data: /, '')) };
}

describe.each(PROTOCOLS)('the OpenAI-compatible API in front of a %s model', (protocol) => {
  let pool: Pool;
  let openai: OpenAI;
  beforeAll(async () => {
    pool = await startPool(protocol);
    openai = client(pool);
  });
  afterEach(async () => {
    pool.reset();
    await idle(pool);
  });
  afterAll(() => pool.stop());

  async function graphqlChat() {
    const { data, errors } = await post(pool.url, ChatDocument, { input: { modelId: 'pool', messages: MESSAGES.map((m) => ({ role: m.role.toUpperCase() as 'SYSTEM' | 'USER', content: m.content })), ...GRAPHQL_SAMPLING } });
    expect(errors).toBeUndefined();
    return data!.chat;
  }

  async function graphqlGenerate(maxNewTokens = 8) {
    const { data, errors } = await post(pool.url, GenerateWithUsageDocument, { input: { modelId: 'pool', prompt: PROMPT, maxNewTokens, temperature: 0.8, topP: 0.9, seed: 7 } });
    expect(errors).toBeUndefined();
    return data!.generate;
  }

  describe('models', () => {
    it('lists the gateway model ids, and retrieves one', async () => {
      const page = await openai.models.list();
      expect(page.data.map((m) => m.id)).toEqual(['pool']);
      expect(page.data[0]).toMatchObject({ id: 'pool', object: 'model', owned_by: expect.any(String), created: expect.any(Number) });
      expect(await openai.models.retrieve('pool')).toMatchObject({ id: 'pool', object: 'model' });
    });

    it('answers 404 for a model it does not know, as NotFoundError', async () => {
      const error = await openai.models.retrieve('nope').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.NotFoundError);
      expect((error as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found');
    });
  });

  describe('chat completions', () => {
    it('a unary answer has the text, finish reason and usage that GraphQL chat returns for the same seeded request', async () => {
      const answer = await openai.chat.completions.create({ model: 'pool', messages: [...MESSAGES], ...SAMPLING });
      const graphql = await graphqlChat();
      expect(answer).toMatchObject({ object: 'chat.completion', model: 'pool', id: expect.stringMatching(/^chatcmpl-/), created: expect.any(Number) });
      expect(answer.choices).toHaveLength(1);
      expect(answer.choices[0]).toMatchObject({ index: 0, finish_reason: 'length', message: { role: 'assistant', content: graphql.message.content } });
      expect(answer.usage).toEqual({ prompt_tokens: graphql.usage!.promptTokens, completion_tokens: 8, total_tokens: graphql.usage!.totalTokens });
    });

    it('max_completion_tokens is read as max_tokens', async () => {
      const answer = await openai.chat.completions.create({ model: 'pool', messages: [...MESSAGES], ...SAMPLING, max_tokens: undefined, max_completion_tokens: 8 });
      expect(answer.choices[0]!.message.content).toBe((await graphqlChat()).message.content);
    });

    it('a stream carries the role first, then deltas that concatenate to the same text, the finish reason, the usage chunk and [DONE]', async () => {
      const stream = await openai.chat.completions.create({ model: 'pool', messages: [...MESSAGES], ...SAMPLING, stream: true, stream_options: { include_usage: true } });
      const chunks: OpenAI.ChatCompletionChunk[] = [];
      for await (const chunk of stream) chunks.push(chunk);
      const graphql = await graphqlChat();
      expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
      expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.model === 'pool' && c.id === chunks[0]!.id)).toBe(true);
      const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
      expect(text).toBe(graphql.message.content);
      const finishes = chunks.map((c) => c.choices[0]?.finish_reason).filter((f) => f);
      expect(finishes).toEqual(['length']);
      const last = chunks.at(-1)!;
      expect(last.choices).toEqual([]);
      expect(last.usage).toEqual({ prompt_tokens: graphql.usage!.promptTokens, completion_tokens: 8, total_tokens: graphql.usage!.totalTokens });
    });

    it('on the wire the stream is `data:` events ending in [DONE], with no usage chunk unless asked', async () => {
      const { status, events } = await rawEvents(pool, '/v1/chat/completions', { model: 'pool', messages: MESSAGES, ...SAMPLING, stream: true });
      expect(status).toBe(200);
      expect(events.at(-1)).toBe('[DONE]');
      const chunks = events.slice(0, -1).map((e) => JSON.parse(e) as { choices: unknown[] });
      expect(chunks.every((c) => c.choices.length === 1)).toBe(true);
    });

    it('content given as text parts is read as their text joined', async () => {
      const answer = await openai.chat.completions.create({
        model: 'pool',
        messages: [{ role: 'system', content: [{ type: 'text', text: MESSAGES[0].content }] }, { role: 'user', content: [{ type: 'text', text: MESSAGES[1].content }] }],
        ...SAMPLING,
      });
      expect(answer.choices[0]!.message.content).toBe((await graphqlChat()).message.content);
    });
  });

  describe('completions', () => {
    it('a unary answer has the text GraphQL generate returns for the same seeded request', async () => {
      const answer = await openai.completions.create({ model: 'pool', prompt: PROMPT, ...SAMPLING });
      const graphql = await graphqlGenerate();
      expect(answer).toMatchObject({ object: 'text_completion', model: 'pool', id: expect.stringMatching(/^cmpl-/) });
      expect(answer.choices[0]).toMatchObject({ index: 0, text: graphql.generatedText, finish_reason: 'length' });
    });

    it('a stream concatenates to the same text and ends with its finish reason, the usage chunk and [DONE]', async () => {
      const stream = await openai.completions.create({ model: 'pool', prompt: PROMPT, ...SAMPLING, stream: true, stream_options: { include_usage: true } });
      const chunks: OpenAI.Completion[] = [];
      for await (const chunk of stream) chunks.push(chunk);
      const graphql = await graphqlGenerate();
      expect(chunks.map((c) => c.choices[0]?.text ?? '').join('')).toBe(graphql.generatedText);
      expect(chunks.map((c) => c.choices[0]?.finish_reason).filter((f) => f)).toEqual(['length']);
      if (graphql.usage) expect(chunks.at(-1)!.usage).toMatchObject({ completion_tokens: 8 });
    });

    it('without max_tokens, OpenAI\'s default of 16 applies', async () => {
      const answer = await openai.completions.create({ model: 'pool', prompt: PROMPT, temperature: 0.8, top_p: 0.9, seed: 7 });
      expect(answer.choices[0]!.text).toBe((await graphqlGenerate(16)).generatedText);
    });

    it('echo puts the prompt first, unary and streamed', async () => {
      const unary = await openai.completions.create({ model: 'pool', prompt: PROMPT, ...SAMPLING, echo: true });
      const generated = (await graphqlGenerate()).generatedText;
      expect(unary.choices[0]!.text).toBe(PROMPT + generated);
      const stream = await openai.completions.create({ model: 'pool', prompt: PROMPT, ...SAMPLING, echo: true, stream: true });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
      expect(text).toBe(PROMPT + generated);
    });
  });

  describe('errors', () => {
    const badRequest = async (body: Record<string, unknown>, path: 'chat' | 'completions' = 'chat') => {
      const before = callsTo(pool.sims, ROUTES[protocol][path === 'chat' ? 'chat' : 'generate']);
      const request = path === 'chat'
        ? openai.chat.completions.create({ model: 'pool', messages: [...MESSAGES], ...body } as never)
        : openai.completions.create({ model: 'pool', prompt: PROMPT, ...body } as never);
      const error = await Promise.resolve(request).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect(callsTo(pool.sims, ROUTES[protocol][path === 'chat' ? 'chat' : 'generate'])).toBe(before);
      const { status, param, code, type, message } = error as InstanceType<typeof OpenAI.BadRequestError>;
      return { status, param, code, type, message };
    };

    it.each([
      [{ n: 2 }, 'n', 'unsupported_parameter'],
      [{ logprobs: true }, 'logprobs', 'unsupported_parameter'],
      [{ audio: { voice: 'alloy', format: 'wav' }, modalities: ['text', 'audio'] }, 'audio', 'unsupported_parameter'],
      [{ functions: [{ name: 'weather' }] }, 'functions', 'unsupported_parameter'],
      [{ tools: [{ type: 'code_interpreter' }] }, 'tools[0].type', 'invalid_value'],
      [{ response_format: { type: 'json_schema' } }, 'response_format.json_schema', 'invalid_value'],
      [{ tools: [{ type: 'function', function: { name: 'a b' } }] }, 'tools', 'invalid_value'],
      [{ tool_choice: 'required' }, 'tool_choice', 'invalid_value'],
      [{ temperature: -1 }, 'temperature', 'invalid_value'],
      [{ max_tokens: 0 }, 'max_tokens', 'invalid_value'],
      [{ top_p: 'high' }, 'top_p', 'invalid_value'],
      [{ messages: [] }, 'messages', 'invalid_value'],
      [{ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }] }, 'messages[0].content[0]', 'unsupported_parameter'],
      [{ messages: [{ role: 'function', content: 'x', name: 'f' }] }, 'messages[0].role', 'unsupported_parameter'],
      [{ messages: [{ role: 'tool', content: 'x', tool_call_id: 'a' }] }, 'messages', 'invalid_value'],
    ])('chat refuses %j with 400 naming %s, before any upstream call', async (body, param, code) => {
      expect(await badRequest(body)).toMatchObject({ status: 400, type: 'invalid_request_error', param, code });
    });

    it.each([
      [{ n: 3 }, 'n'],
      [{ best_of: 2 }, 'best_of'],
      [{ logprobs: 2 }, 'logprobs'],
      [{ suffix: 'end' }, 'suffix'],
      [{ prompt: ['a', 'b'] }, 'prompt'],
      [{ max_tokens: -5 }, 'max_tokens'],
    ])('completions refuses %j with 400 naming %s', async (body, param) => {
      expect(await badRequest(body, 'completions')).toMatchObject({ status: 400, type: 'invalid_request_error', param });
    });

    it('an unknown model is 404 model_not_found naming model', async () => {
      const error = await openai.chat.completions.create({ model: 'nope', messages: [...MESSAGES] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.NotFoundError);
      expect(error).toMatchObject({ status: 404, code: 'model_not_found', param: 'model' });
    });

    it('a body that is not JSON is 400, and an unknown /v1 route is 404, both in OpenAI\'s shape', async () => {
      const notJson = await fetch(`${pool.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":' });
      expect(notJson.status).toBe(400);
      expect(await notJson.json()).toMatchObject({ error: { type: 'invalid_request_error', message: expect.any(String), param: null, code: expect.any(String) } });
      const route = await fetch(`${pool.url}/v1/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(route.status).toBe(404);
      expect(await route.json()).toMatchObject({ error: { code: 'not_found' } });
    });

    it('a failure before the first chunk is an answer with its status (every replica unavailable: 503, InternalServerError)', async () => {
      pool.sims[0]!.setFaults({ httpStatus: 503 });
      const error = await openai.chat.completions.create({ model: 'pool', messages: [...MESSAGES], ...SAMPLING, stream: true }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.InternalServerError);
      expect(error).toMatchObject({ status: 503, code: 'upstream_unavailable', type: 'server_error' });
      expect(JSON.stringify((error as { error: unknown }).error)).not.toMatch(UPSTREAM_TEXT);
    });

    it('a failure after the first chunk is one `data: {"error": …}` event, then the end without [DONE]', async () => {
      pool.sims[0]!.setFaults({ errorAfterTokens: 3 });
      const { status, events } = await rawEvents(pool, '/v1/chat/completions', { model: 'pool', messages: MESSAGES, ...SAMPLING, stream: true });
      expect(status).toBe(200);
      expect(events).not.toContain('[DONE]');
      const last = JSON.parse(events.at(-1)!) as { error: Record<string, unknown> };
      expect(last.error).toMatchObject({ type: 'server_error', code: 'upstream_error', param: null, message: expect.any(String) });
      expect(events.at(-1)).not.toMatch(UPSTREAM_TEXT);

      // The SDK raises it while iterating, after the chunks that came.
      pool.sims[0]!.setFaults({ errorAfterTokens: 3 });
      const stream = await openai.chat.completions.create({ model: 'pool', messages: [...MESSAGES], ...SAMPLING, stream: true });
      const seen: string[] = [];
      const error = await (async () => {
        for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? '');
      })().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect(seen.join('').length).toBeGreaterThan(0);
    });
  });

  describe('a client that leaves', () => {
    it('aborting a stream in the SDK ends the generation upstream', async () => {
      pool.sims[0]!.setTiming({ timePerTokenMs: 30 });
      const { abortedStreams: before, completedStreams } = pool.sims[0]!.stats();
      const stream = await openai.chat.completions.create({ model: 'pool', messages: [...MESSAGES], max_tokens: 500, stream: true });
      let chunks = 0;
      for await (const _chunk of stream) {
        if (++chunks === 3) stream.controller.abort();
      }
      await eventually(() => pool.sims[0]!.stats().abortedStreams === before + 1, 3000, 'the simulator to see its client leave');
      expect(pool.sims[0]!.stats().completedStreams).toBe(completedStreams);
    });

    it('closing the connection before a unary answer ends the generation upstream', async () => {
      pool.sims[0]!.setTiming({ timePerTokenMs: 30 });
      const before = pool.sims[0]!.stats().abortedGenerations + pool.sims[0]!.stats().abortedStreams;
      const controller = new AbortController();
      const request = openai.chat.completions.create({ model: 'pool', messages: [...MESSAGES], max_tokens: 500 }, { signal: controller.signal });
      await eventually(() => pool.sims[0]!.stats().activeGenerations + pool.sims[0]!.stats().activeStreams === 1, 3000, 'the generation to start');
      controller.abort();
      await expect(request).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);
      await eventually(() => pool.sims[0]!.stats().abortedGenerations + pool.sims[0]!.stats().abortedStreams === before + 1, 3000, 'the simulator to see its client leave');
    });

    it('a completions stream dropped mid-way ends the generation upstream', async () => {
      pool.sims[0]!.setTiming({ timePerTokenMs: 30 });
      const before = pool.sims[0]!.stats().abortedStreams;
      const stream = await openai.completions.create({ model: 'pool', prompt: PROMPT, max_tokens: 500, stream: true });
      let chunks = 0;
      for await (const _chunk of stream) {
        if (++chunks === 2) break; // the SDK closes the response
      }
      await eventually(() => pool.sims[0]!.stats().abortedStreams === before + 1, 3000, 'the simulator to see its client leave');
    });
  });
});
