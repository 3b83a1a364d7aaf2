// The simulator with protocol 'openai': vLLM's OpenAI-compatible server on the wire, with
// the TGI mode's tokens, faults, timing and counters.

import { describe, expect, it } from 'vitest';
import type { SimulatorOptions } from '../../src/simulator/index.ts';
import { tokenize } from '../../src/simulator/core/tokenizer.ts';
import { postJson, readUntil, sleep, useSimulator, waitFor } from './helpers.ts';
import {
  DONE, chatText, completionStreamText, countData, events, post, streamOf,
  type ChatBody, type ChatChunk, type TextBody, type TextChunk,
} from './openai-helpers.ts';

const launch = useSimulator();
const start = (options: Partial<SimulatorOptions> = {}) => launch({ protocol: 'openai', ...options });
const MODEL = 'simulator/tiny-llm';
const messages = [{ role: 'user', content: 'What is deep learning?' }];
const completion = { model: MODEL, prompt: 'Tell a story', max_tokens: 8, temperature: 0.7, seed: 42 };
const chat = { model: MODEL, messages, max_tokens: 8, temperature: 0.7, seed: 42 };

describe('openai mode: routes', () => {
  it('has none of TGI’s own routes: FastAPI’s 404 and 405 bodies', async () => {
    const simulator = await start();
    for (const [method, path] of [['POST', '/generate'], ['POST', '/generate_stream'], ['GET', '/info'], ['POST', '/'], ['GET', '/ping']]) {
      const response = await fetch(simulator.url + path, { method, headers: { 'content-type': 'application/json' }, body: method === 'POST' ? '{}' : undefined });
      expect([path, response.status, await response.json()]).toEqual([path, 404, { detail: 'Not Found' }]);
    }
    const wrongMethod = await fetch(`${simulator.url}/v1/completions`);
    expect([wrongMethod.status, await wrongMethod.json()]).toEqual([405, { detail: 'Method Not Allowed' }]);
  });

  it('lists the served model with vLLM’s fields and max_model_len', async () => {
    const simulator = await start({ modelId: 'acme/weights', servedModelName: 'acme', maxInputTokens: 1000, maxTotalTokens: 1024 });
    const list = (await (await fetch(`${simulator.url}/v1/models`)).json()) as { object: string; data: Record<string, unknown>[] };
    expect(list.object).toBe('list');
    expect(list.data).toHaveLength(1);
    expect(list.data[0]).toMatchObject({ id: 'acme', object: 'model', owned_by: 'vllm', root: 'acme/weights', max_model_len: 1024 });
    expect(typeof list.data[0]!['created']).toBe('number');
  });

  it('answers /health 200 with an empty body, 503 when unhealthy, 404 with health: false', async () => {
    const simulator = await start();
    const healthy = await fetch(`${simulator.url}/health`);
    expect([healthy.status, await healthy.text()]).toEqual([200, '']);
    simulator.setFaults({ unhealthy: true });
    const sick = await fetch(`${simulator.url}/health`);
    expect([sick.status, await sick.text()]).toEqual([503, '']);
    const ollama = await start({ health: false });
    expect((await fetch(`${ollama.url}/health`)).status).toBe(404);
    expect((await fetch(`${ollama.url}/v1/models`)).status).toBe(200);
  });

  it('hangs /v1/models under stallInfo, the limits probe of this protocol', async () => {
    const simulator = await start({ faults: { stallInfo: true } });
    await expect(fetch(`${simulator.url}/v1/models`, { signal: AbortSignal.timeout(80) })).rejects.toThrow();
    expect((await fetch(`${simulator.url}/health`)).status).toBe(200);
  });
});

describe('openai mode: POST /v1/completions', () => {
  it('answers vLLM’s text_completion body', async () => {
    const simulator = await start();
    const response = await post(simulator, '/v1/completions', completion);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    const body = (await response.json()) as TextBody;
    expect(Object.keys(body)).toEqual(['id', 'object', 'created', 'model', 'choices', 'usage']);
    expect(body.id).toMatch(/^cmpl-[0-9a-f]{32}$/);
    expect(body).toMatchObject({ object: 'text_completion', model: MODEL });
    expect(body.choices).toEqual([{ index: 0, text: body.choices[0]!.text, logprobs: null, finish_reason: 'length', stop_reason: null }]);
    const promptTokens = tokenize('Tell a story').length;
    expect(body.usage).toEqual({ prompt_tokens: promptTokens, completion_tokens: 8, total_tokens: promptTokens + 8 });
  });

  it('draws the same text as TGI’s /generate for the same prompt, seed and parameters', async () => {
    const simulator = await start();
    const tgi = await launch();
    const body = (await (await post(simulator, '/v1/completions', completion)).json()) as TextBody;
    const generated = (await (
      await postJson(tgi, '/generate', { inputs: 'Tell a story', parameters: { max_new_tokens: 8, temperature: 0.7, seed: 42 } })
    ).json()) as { generated_text: string };
    expect(body.choices[0]!.text).toBe(generated.generated_text);
    const greedy = (await (await post(simulator, '/v1/completions', { prompt: 'Tell a story', max_tokens: 5, temperature: 0 })).json()) as TextBody;
    const tgiGreedy = (await (await postJson(tgi, '/generate', { inputs: 'Tell a story', parameters: { max_new_tokens: 5 } })).json()) as { generated_text: string };
    expect(greedy.choices[0]!.text).toBe(tgiGreedy.generated_text);
  });

  it('streams one chunk per token, the finish on the last, a usage chunk and [DONE]', async () => {
    const simulator = await start();
    const response = await post(simulator, '/v1/completions', { ...completion, stream: true, stream_options: { include_usage: true } });
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const text = await response.text();
    expect(text).not.toMatch(/^:/m);
    const chunks = events(text);
    expect(chunks.at(-1)).toBe(DONE);
    const usage = chunks.at(-2) as TextChunk;
    expect(usage).toMatchObject({ object: 'text_completion', choices: [] });
    expect(usage.usage!.completion_tokens).toBe(8);
    const tokens = chunks.slice(0, -2) as TextChunk[];
    expect(tokens).toHaveLength(8);
    expect(new Set(tokens.map((chunk) => chunk.id)).size).toBe(1);
    expect(tokens.slice(0, -1).every((chunk) => chunk.choices[0]!.finish_reason === null && chunk.choices[0]!.stop_reason === null)).toBe(true);
    expect(tokens.at(-1)!.choices[0]).toMatchObject({ finish_reason: 'length', stop_reason: null });
    expect(tokens.some((chunk) => 'token_ids' in chunk.choices[0]!)).toBe(false);
    const whole = (await (await post(simulator, '/v1/completions', completion)).json()) as TextBody;
    expect(completionStreamText(chunks)).toBe(whole.choices[0]!.text);
  });

  it('adds token_ids per chunk (and the prompt’s on the first) with return_token_ids', async () => {
    const simulator = await start();
    const chunks = (await streamOf(simulator, '/v1/completions', { ...completion, stream: true, return_token_ids: true })).slice(0, -1) as TextChunk[];
    expect(chunks.every((chunk) => chunk.choices[0]!.token_ids!.length === 1)).toBe(true);
    expect(chunks[0]!.choices[0]!.prompt_token_ids).toEqual(tokenize('Tell a story').map((token) => token.id));
    const whole = (await (await post(simulator, '/v1/completions', { ...completion, return_token_ids: true })).json()) as TextBody;
    expect(whole.choices[0]!.token_ids).toEqual(chunks.map((chunk) => chunk.choices[0]!.token_ids![0]));
  });

  it('ends on EOS with finish_reason stop and stop_reason null', async () => {
    const simulator = await start();
    const body = (await (await post(simulator, '/v1/completions', { prompt: 'Go on' })).json()) as TextBody;
    expect(body.choices[0]).toMatchObject({ finish_reason: 'stop', stop_reason: null });
    expect(body.choices[0]!.text).not.toContain('</s>');
  });

  it('cuts a matched stop string from the text, reports it as stop_reason, and streams the same text', async () => {
    const simulator = await start();
    const tgi = await launch();
    const generated = (await (
      await postJson(tgi, '/generate', { inputs: 'Tell a story', parameters: { max_new_tokens: 8, temperature: 0.7, seed: 42, details: true } })
    ).json()) as { details: { tokens: { text: string }[] } };
    const tokens = generated.details.tokens;
    // Spans two tokens, so the stream must hold back a character it would otherwise have sent.
    const stop = tokens[3]!.text.slice(-1) + tokens[4]!.text;
    const tgiText = ((await (
      await postJson(tgi, '/generate', { inputs: 'Tell a story', parameters: { max_new_tokens: 8, temperature: 0.7, seed: 42, stop: [stop] } })
    ).json()) as { generated_text: string }).generated_text;
    expect(tgiText.endsWith(stop)).toBe(true);
    const body = (await (await post(simulator, '/v1/completions', { ...completion, stop })).json()) as TextBody;
    expect(body.choices[0]).toMatchObject({ text: tgiText.slice(0, -stop.length), finish_reason: 'stop', stop_reason: stop });
    const chunks = await streamOf(simulator, '/v1/completions', { ...completion, stop: [stop], stream: true });
    expect(completionStreamText(chunks)).toBe(body.choices[0]!.text);
    expect((chunks.at(-2) as TextChunk).choices[0]).toMatchObject({ finish_reason: 'stop', stop_reason: stop });
  });

  it('echoes the prompt before the completion with echo', async () => {
    const simulator = await start();
    const plain = (await (await post(simulator, '/v1/completions', completion)).json()) as TextBody;
    const echoed = (await (await post(simulator, '/v1/completions', { ...completion, echo: true })).json()) as TextBody;
    expect(echoed.choices[0]!.text).toBe(`Tell a story${plain.choices[0]!.text}`);
    const chunks = await streamOf(simulator, '/v1/completions', { ...completion, echo: true, stream: true });
    expect(completionStreamText(chunks)).toBe(echoed.choices[0]!.text);
  });

  it('keeps only the last truncate_prompt_tokens prompt tokens', async () => {
    const simulator = await start();
    const body = (await (await post(simulator, '/v1/completions', { ...completion, prompt: 'one two three four five six', truncate_prompt_tokens: 3 })).json()) as TextBody;
    expect(body.usage.prompt_tokens).toBe(3);
  });
});

describe('openai mode: POST /v1/chat/completions', () => {
  it('answers vLLM’s chat.completion body', async () => {
    const simulator = await start();
    const body = (await (await post(simulator, '/v1/chat/completions', chat)).json()) as ChatBody;
    expect(body.id).toMatch(/^chatcmpl-[0-9a-f]{32}$/);
    expect(body).toMatchObject({ object: 'chat.completion', model: MODEL });
    expect(body.choices[0]).toMatchObject({ index: 0, message: { role: 'assistant' }, finish_reason: 'length', stop_reason: null });
    expect(body.usage.completion_tokens).toBe(8);
  });

  it('streams a role-only chunk, content deltas, a final chunk with the reasons, usage and [DONE]', async () => {
    const simulator = await start();
    const chunks = await streamOf(simulator, '/v1/chat/completions', { ...chat, stream: true, stream_options: { include_usage: true } });
    const data = chunks.slice(0, -1) as ChatChunk[];
    expect(chunks.at(-1)).toBe(DONE);
    expect(data[0]!.choices[0]).toEqual({ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null });
    for (const chunk of data.slice(1, -2)) {
      expect(Object.keys(chunk.choices[0]!.delta)).toEqual(['content']);
      expect(chunk.choices[0]!.finish_reason).toBeNull();
    }
    expect(data.at(-2)!.choices[0]).toMatchObject({ finish_reason: 'length', stop_reason: null });
    expect(data.at(-1)).toMatchObject({ object: 'chat.completion.chunk', choices: [], usage: { completion_tokens: 8 } });
    const whole = (await (await post(simulator, '/v1/chat/completions', chat)).json()) as ChatBody;
    expect(chatText(chunks)).toBe(whole.choices[0]!.message.content);
  });

  it('has an empty final delta on EOS, and no usage chunk unless asked', async () => {
    const simulator = await start();
    const chunks = await streamOf(simulator, '/v1/chat/completions', { messages, stream: true });
    expect(chunks.at(-1)).toBe(DONE);
    expect((chunks.at(-2) as ChatChunk).choices[0]).toEqual({ index: 0, delta: {}, logprobs: null, finish_reason: 'stop', stop_reason: null });
    expect(chunks.some((chunk) => chunk !== DONE && (chunk as ChatChunk).choices.length === 0)).toBe(false);
  });

  it('generates what the TGI mode’s Messages API does for the same messages', async () => {
    const simulator = await start();
    const tgi = await launch();
    const openai = (await (await post(simulator, '/v1/chat/completions', chat)).json()) as ChatBody;
    const tgiChat = (await (await post(tgi, '/v1/chat/completions', chat)).json()) as ChatBody;
    expect(openai.choices[0]!.message.content).toBe(tgiChat.choices[0]!.message.content);
    expect(openai.usage).toEqual(tgiChat.usage);
  });

  it('accepts the model omitted, and answers 404 for another model', async () => {
    const simulator = await start({ servedModelName: 'served' });
    expect((await post(simulator, '/v1/chat/completions', { messages, max_tokens: 1 })).status).toBe(200);
    const response = await post(simulator, '/v1/chat/completions', { ...chat, model: 'gpt-4' });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: { message: 'The model `gpt-4` does not exist.', type: 'NotFoundError', param: 'model', code: 404 },
    });
  });
});

describe('openai mode: validation', () => {
  const invalid: [string, string, Record<string, unknown>, string, string | null][] = [
    ['/v1/completions', 'temperature < 0', { temperature: -1 }, 'temperature must be non-negative, got -1.', 'temperature'],
    ['/v1/completions', 'top_p > 1', { top_p: 1.5 }, 'top_p must be in (0, 1], got 1.5.', 'top_p'],
    ['/v1/completions', 'top_p 0', { top_p: 0 }, 'top_p must be in (0, 1], got 0.', 'top_p'],
    ['/v1/completions', 'max_tokens 0', { max_tokens: 0 }, 'max_tokens must be at least 1, got 0.', 'max_tokens'],
    ['/v1/completions', 'frequency_penalty 3', { frequency_penalty: 3 }, 'frequency_penalty must be in [-2, 2], got 3.', 'frequency_penalty'],
    ['/v1/completions', 'stream_options without stream', { stream_options: { include_usage: true } }, 'Stream options can only be defined when `stream=True`.', 'stream_options'],
    ['/v1/completions', 'a wrong type', { temperature: 'hot' }, 'temperature: invalid type: string "hot", expected a number', 'temperature'],
    ['/v1/chat/completions', 'empty messages', { messages: [] }, 'messages must not be empty.', 'messages'],
  ];

  it.each(invalid)('%s: 400 for %s', async (path, _name, change, message, param) => {
    const simulator = await start();
    const response = await post(simulator, path, { ...(path === '/v1/completions' ? completion : chat), ...change });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { message, type: 'BadRequestError', param, code: 400 } });
  });

  it('refuses prompt + max_tokens beyond max_model_len', async () => {
    const simulator = await start({ maxInputTokens: 15, maxTotalTokens: 16 });
    const inputs = tokenize('Tell a story').length;
    const response = await post(simulator, '/v1/completions', { ...completion, max_tokens: 16 });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { message: `'max_tokens' is too large: 16. This model's maximum context length is 16 tokens and your request has ${inputs} input tokens (16 > 16 - ${inputs}).`, code: 400 },
    });
    const long = await post(simulator, '/v1/completions', { prompt: 'x '.repeat(40) });
    expect(((await long.json()) as { error: { message: string } }).error.message).toMatch(/^This model's maximum context length is 16 tokens\. However, your request has \d+ input tokens/);
  });

  it('accepts top_p 1.0 and temperature 0, which TGI refuses', async () => {
    const simulator = await start();
    expect((await post(simulator, '/v1/completions', { ...completion, top_p: 1.0, temperature: 0 })).status).toBe(200);
  });

  it('answers invalid JSON with 400 and counts a refused request as errored', async () => {
    const simulator = await start();
    const response = await post(simulator, '/v1/completions', '{"prompt":');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { type: 'BadRequestError', code: 400 } });
    await (await post(simulator, '/v1/completions', { ...completion, stream: true, temperature: -1 })).text();
    expect(simulator.stats()).toMatchObject({ erroredStreams: 1, activeStreams: 0, permitsInUse: 0 });
  });
});

describe('openai mode: overload', () => {
  it('answers 503 ServiceUnavailableError under the overloaded fault, never in-band', async () => {
    const simulator = await start({ faults: { overloaded: true } });
    for (const body of [completion, { ...completion, stream: true }]) {
      const response = await post(simulator, '/v1/completions', body);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({
        error: { message: expect.stringContaining('queue is full') as unknown, type: 'ServiceUnavailableError', param: null, code: 503 },
      });
    }
  });

  it('answers 503 while every permit is held, and serves again once one is free', async () => {
    const simulator = await start({ maxConcurrentRequests: 1, timePerTokenMs: 5 });
    const controller = new AbortController();
    const first = await post(simulator, '/v1/chat/completions', { messages, max_tokens: 500, stream: true }, {}, controller.signal);
    await readUntil(first, (text) => countData(text) >= 2);
    expect((await post(simulator, '/v1/chat/completions', { messages, max_tokens: 1, stream: true })).status).toBe(503);
    controller.abort();
    await waitFor(() => simulator.stats().permitsInUse === 0);
    expect((await post(simulator, '/v1/chat/completions', { messages, max_tokens: 1 })).status).toBe(200);
  });
});

describe('openai mode: apiKey', () => {
  it('needs the bearer key on every /v1 route; /health and /metrics stay open', async () => {
    const simulator = await start({ apiKey: 'sk-vllm' });
    for (const [method, path] of [['GET', '/v1/models'], ['POST', '/v1/completions'], ['POST', '/v1/chat/completions'], ['GET', '/v1/nothing']]) {
      for (const headers of [{}, { authorization: 'Bearer nope' }, { authorization: 'sk-vllm' }] as Record<string, string>[]) {
        const response = await fetch(simulator.url + path, { method, headers, body: method === 'POST' ? JSON.stringify(completion) : undefined });
        expect([path, response.status, await response.json()]).toEqual([path, 401, { error: 'Unauthorized' }]);
      }
    }
    const auth = { authorization: 'Bearer sk-vllm' };
    expect((await fetch(`${simulator.url}/v1/models`, { headers: auth })).status).toBe(200);
    expect((await post(simulator, '/v1/completions', completion, auth)).status).toBe(200);
    expect((await fetch(`${simulator.url}/health`)).status).toBe(200);
    expect((await fetch(`${simulator.url}/metrics`)).status).toBe(200);
    expect(simulator.stats()).toMatchObject({ completedGenerations: 1, faultedRequests: 0 });
  });
});

describe('openai mode: faults', () => {
  const CRASH = {
    error: { message: 'EngineCore encountered an issue: CUDA out of memory. Tried to allocate 2.00 GiB', type: 'InternalServerError', param: null, code: 500 },
  };

  it('errorAfterTokens: N token chunks, an InternalServerError event and [DONE]; 500 without stream', async () => {
    const simulator = await start({ faults: { errorAfterTokens: 2 } });
    const chunks = await streamOf(simulator, '/v1/completions', { ...completion, stream: true });
    expect(chunks).toHaveLength(4);
    expect(chunks.slice(2)).toEqual([CRASH, DONE]);
    const chat2 = await streamOf(simulator, '/v1/chat/completions', { ...chat, stream: true });
    // The role chunk, two content chunks, the error, [DONE].
    expect(chat2).toHaveLength(5);
    expect(chat2.slice(3)).toEqual([CRASH, DONE]);
    const response = await post(simulator, '/v1/chat/completions', chat);
    expect([response.status, await response.json()]).toEqual([500, CRASH]);
    expect(simulator.stats()).toMatchObject({ erroredStreams: 2, erroredGenerations: 1, faultedRequests: 3 });
  });

  it('dropAfterTokens destroys the socket after N tokens', async () => {
    const simulator = await start({ faults: { dropAfterTokens: 3 } });
    const response = await post(simulator, '/v1/completions', { ...completion, stream: true });
    let received = '';
    await expect(readUntil(response, (text) => ((received = text), false))).rejects.toThrow();
    expect(countData(received)).toBe(3);
    await expect(post(simulator, '/v1/completions', completion)).rejects.toThrow();
    expect(simulator.stats()).toMatchObject({ droppedStreams: 1, droppedGenerations: 1, permitsInUse: 0 });
  });

  it('stallAfterTokens goes silent without keep-alive until the client leaves', async () => {
    const simulator = await start({ keepAliveMs: 10, faults: { stallAfterTokens: 2 } });
    const controller = new AbortController();
    const response = await post(simulator, '/v1/completions', { ...completion, stream: true }, {}, controller.signal);
    const text = await readUntil(response, (sofar) => countData(sofar) >= 2);
    await sleep(50);
    expect(simulator.stats()).toMatchObject({ tokensGenerated: 2, activeStreams: 1 });
    controller.abort();
    await waitFor(() => simulator.stats().abortedStreams === 1);
    expect(text).not.toContain(':\n\n');
  });

  it('refuseConnections, stallBeforeHeaders, httpStatus and times work as in TGI mode', async () => {
    const simulator = await start({ faults: { refuseConnections: true, times: 1 } });
    await expect(post(simulator, '/v1/completions', completion)).rejects.toThrow();
    simulator.setFaults({ stallBeforeHeaders: true, times: 1 });
    await expect(post(simulator, '/v1/completions', { ...completion, stream: true }, {}, AbortSignal.timeout(60))).rejects.toThrow();
    await waitFor(() => simulator.stats().abortedStreams === 1);
    simulator.setFaults({ httpStatus: 502, times: 1 });
    const bad = await post(simulator, '/v1/completions', completion);
    expect([bad.status, await bad.json()]).toEqual([502, { error: { message: 'Bad Gateway', type: 'BadGatewayError', param: null, code: 502 } }]);
    expect((await post(simulator, '/v1/completions', completion)).status).toBe(200);
    expect(simulator.stats()).toMatchObject({ refusedConnections: 1, faultedRequests: 3, tokensGenerated: 8 });
  });
});

describe('openai mode: cancellation and bookkeeping', () => {
  it('a client leaving mid-stream is counted aborted, frees its permit and stops the tokens', async () => {
    const simulator = await start({ timePerTokenMs: 5 });
    const controller = new AbortController();
    const response = await post(simulator, '/v1/chat/completions', { messages, max_tokens: 500, stream: true }, {}, controller.signal);
    await readUntil(response, (text) => countData(text) >= 3);
    controller.abort();
    await waitFor(() => simulator.stats().abortedStreams === 1);
    const generated = simulator.stats().tokensGenerated;
    await sleep(40);
    expect(simulator.stats()).toMatchObject({ activeStreams: 0, permitsInUse: 0, tokensAfterAbort: 0, tokensGenerated: generated });
    expect(generated).toBeLessThan(500);
  });

  it('a client leaving a non-stream request is counted as an aborted generation', async () => {
    const simulator = await start({ timePerTokenMs: 5 });
    await expect(post(simulator, '/v1/completions', { prompt: 'x', max_tokens: 500 }, {}, AbortSignal.timeout(40))).rejects.toThrow();
    await waitFor(() => simulator.stats().abortedGenerations === 1);
    expect(simulator.stats()).toMatchObject({ activeGenerations: 0, permitsInUse: 0, tokensAfterAbort: 0 });
  });

  it('counts routes and streams, and records model, stream_options and the bearer key sent', async () => {
    const simulator = await start({ apiKey: 'k' });
    const body = { ...chat, stream: true, stream_options: { include_usage: true } };
    await (await post(simulator, '/v1/chat/completions', body, { authorization: 'Bearer k', traceparent: 't-1' })).text();
    await (await post(simulator, '/v1/completions', completion, { authorization: 'Bearer wrong' })).text();
    const stats = simulator.stats();
    expect(stats.requestsByRoute).toEqual({ 'POST /v1/chat/completions': 1, 'POST /v1/completions': 1 });
    expect(stats).toMatchObject({ completedStreams: 1, activeStreams: 0, tokensGenerated: 8, lastGenerationSeed: '42' });
    expect(stats.lastGenerationHeaders).toEqual({ traceparent: 't-1', authorization: 'Bearer k' });
    expect(simulator.lastRequest('POST /v1/chat/completions')).toMatchObject({ authorization: 'Bearer k', body: { model: MODEL, stream_options: { include_usage: true } } });
    expect(simulator.lastRequest()).toMatchObject({ route: 'POST /v1/completions', authorization: 'Bearer wrong', body: completion });
  });
});

describe('openai mode: framing and close()', () => {
  it('honours lineEnding and chunkBytes, [DONE] included', async () => {
    const simulator = await start({ lineEnding: '\r\n', chunkBytes: 5, timePerTokenMs: 0 });
    const text = await (await post(simulator, '/v1/completions', { ...completion, stream: true })).text();
    expect(text.endsWith('data: [DONE]\r\n\r\n')).toBe(true);
    expect(events(text.replaceAll('\r\n', '\n'))).toHaveLength(9);
  });

  it('close() ends running and stalled requests and leaves no timer behind', async () => {
    const timerCount = (): number =>
      process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout' || kind === 'Immediate').length;
    const baseline = timerCount();
    const simulator = await launch({ protocol: 'openai', timeToFirstTokenMs: 1, timePerTokenMs: 50 });
    // Both are cut by close(); their failures are expected.
    const running = post(simulator, '/v1/chat/completions', { messages, max_tokens: 500, stream: true }).then((r) => r.text()).catch(() => null);
    const pending = post(simulator, '/v1/completions', { prompt: 'x', max_tokens: 500 }).catch(() => null);
    await waitFor(() => simulator.stats().tokensGenerated >= 2 && simulator.stats().activeGenerations === 1);
    await simulator.close();
    await Promise.all([running, pending]);
    expect(simulator.stats()).toMatchObject({ activeStreams: 0, activeGenerations: 0, permitsInUse: 0, tokensAfterAbort: 0 });
    // At most the baseline: a timer of an earlier test (AbortSignal.timeout) may have fired since.
    expect(timerCount()).toBeLessThanOrEqual(baseline);
  });
});
