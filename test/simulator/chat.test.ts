// TGI's Messages API on the TGI simulator: /v1/chat/completions and /v1/completions in TGI's
// own format (test/fixtures/tgi), drawing exactly /generate's tokens.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderChat } from '../../src/simulator/core/chat-template.ts';
import { tokenize } from '../../src/simulator/core/tokenizer.ts';
import { postJson, readUntil, sleep, useSimulator, waitFor } from './helpers.ts';
import { DONE, chatText, countData, events, post, streamOf, type ChatBody, type ChatChunk, type TextBody, type TextChunk } from './openai-helpers.ts';

const start = useSimulator();
const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../fixtures/tgi/${name}`, import.meta.url), 'utf8'));
const messages = [
  { role: 'system', content: 'You are a helpful assistant.' },
  { role: 'user', content: 'What is deep learning?' },
];
const chat = { model: 'tgi', messages, max_tokens: 8, temperature: 0.7, seed: 42 };
const rendered = renderChat(messages);

interface Generated {
  generated_text: string;
  details: { tokens: { text: string; special: boolean }[]; finish_reason: string };
}

async function generate(simulator: Parameters<typeof postJson>[0], inputs: string, parameters: Record<string, unknown>): Promise<Generated> {
  return (await (await postJson(simulator, '/generate', { inputs, parameters: { ...parameters, details: true } })).json()) as Generated;
}

describe('TGI POST /v1/chat/completions, non-stream', () => {
  it('answers TGI’s chat.completion shape with the model id, fingerprint and usage', async () => {
    const simulator = await start({ modelId: 'acme/chat' });
    const response = await post(simulator, '/v1/chat/completions', chat);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    const body = (await response.json()) as ChatBody & Record<string, unknown>;
    const shape = fixture('chat-response.json') as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(Object.keys(shape));
    expect(body).toMatchObject({ object: 'chat.completion', id: '', model: 'acme/chat', system_fingerprint: '3.3.6-dev0-native' });
    expect(Object.keys(body.choices[0]!)).toEqual(['index', 'message', 'logprobs', 'finish_reason']);
    expect(body.choices[0]!.message.role).toBe('assistant');
    expect(body.choices[0]!.finish_reason).toBe('length');
    const promptTokens = tokenize(rendered).length;
    expect(body.usage).toEqual({ prompt_tokens: promptTokens, completion_tokens: 8, total_tokens: promptTokens + 8 });
  });

  it('renders the messages with the simulated template and generates exactly what /generate would', async () => {
    const simulator = await start();
    expect(rendered).toBe('<|system|>\nYou are a helpful assistant.\n<|user|>\nWhat is deep learning?\n<|assistant|>\n');
    const body = (await (await post(simulator, '/v1/chat/completions', chat)).json()) as ChatBody;
    const generated = await generate(simulator, rendered, { max_new_tokens: 8, temperature: 0.7, seed: 42, do_sample: true });
    expect(body.choices[0]!.message.content).toBe(generated.generated_text);
  });

  it('treats temperature 0 as greedy, like /generate without sampling', async () => {
    const simulator = await start();
    const body = (await (await post(simulator, '/v1/chat/completions', { messages, max_tokens: 6, temperature: 0 })).json()) as ChatBody;
    const greedy = await generate(simulator, rendered, { max_new_tokens: 6 });
    expect(body.choices[0]!.message.content).toBe(greedy.generated_text);
  });

  it('finishes with `stop` on EOS and on a stop sequence, which TGI keeps in the text', async () => {
    const simulator = await start();
    const open = (await (await post(simulator, '/v1/chat/completions', { messages })).json()) as ChatBody;
    expect(open.choices[0]!.finish_reason).toBe('stop');
    const tokens = (await generate(simulator, rendered, { max_new_tokens: 8, temperature: 0.7, seed: 42, do_sample: true })).details.tokens;
    const stop = tokens[4]!.text;
    const stopped = (await (await post(simulator, '/v1/chat/completions', { ...chat, stop: [stop] })).json()) as ChatBody;
    expect(stopped.choices[0]!.finish_reason).toBe('stop');
    expect(stopped.choices[0]!.message.content.endsWith(stop)).toBe(true);
    expect(stopped.usage.completion_tokens).toBeLessThanOrEqual(5);
  });

  it('answers validation errors with TGI’s status and body', async () => {
    const simulator = await start();
    const response = await post(simulator, '/v1/chat/completions', { ...chat, top_p: 1.0 });
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({ error: 'Input validation error: `top_p` must be > 0.0 and < 1.0', error_type: 'validation' });
    expect(simulator.stats()).toMatchObject({ erroredGenerations: 1, activeGenerations: 0 });
  });

  it('answers a malformed body with axum’s 422 text', async () => {
    const simulator = await start();
    const response = await post(simulator, '/v1/chat/completions', { messages: [{ content: 'hi' }] });
    expect(response.status).toBe(422);
    expect(await response.text()).toBe('Failed to deserialize the JSON body into the target type: messages[0]: missing field `role`');
    const negative = await post(simulator, '/v1/chat/completions', { messages, seed: -1 });
    expect([negative.status, await negative.text()]).toEqual([422, 'Failed to deserialize the JSON body into the target type: seed: invalid value: integer `-1`, expected u64']);
  });
});

describe('TGI POST /v1/chat/completions, stream', () => {
  it('streams TGI chunks (role on every delta, usage null) whose deltas add up to the non-stream content', async () => {
    const simulator = await start();
    const response = await post(simulator, '/v1/chat/completions', { ...chat, stream: true });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const chunks = events(await response.text());
    expect(chunks.at(-1)).toBe(DONE);
    const data = chunks.slice(0, -1) as ChatChunk[];
    expect(data).toHaveLength(8);
    const shape = fixture('chat-stream-chunk.json') as Record<string, unknown>;
    for (const chunk of data) {
      expect(Object.keys(chunk)).toEqual(Object.keys(shape));
      expect(chunk).toMatchObject({ object: 'chat.completion.chunk', id: '', usage: null });
      expect(chunk.choices[0]!.delta.role).toBe('assistant');
    }
    expect(data.slice(0, -1).every((chunk) => chunk.choices[0]!.finish_reason === null)).toBe(true);
    expect(data.at(-1)!.choices[0]!.finish_reason).toBe('length');
    const whole = (await (await post(simulator, '/v1/chat/completions', chat)).json()) as ChatBody;
    expect(chatText(chunks)).toBe(whole.choices[0]!.message.content);
    expect(simulator.stats()).toMatchObject({ completedStreams: 1, completedGenerations: 1, activeStreams: 0 });
  });

  it('adds the usage chunk with empty choices when stream_options.include_usage is set', async () => {
    const simulator = await start();
    const chunks = await streamOf(simulator, '/v1/chat/completions', { ...chat, stream: true, stream_options: { include_usage: true } });
    const usage = chunks.at(-2) as ChatChunk;
    expect(Object.keys(usage)).toEqual(Object.keys(fixture('chat-stream-usage-chunk.json') as object));
    expect(usage.choices).toEqual([]);
    expect(usage.usage).toEqual({ prompt_tokens: tokenize(rendered).length, completion_tokens: 8, total_tokens: tokenize(rendered).length + 8 });
    expect(chunks.at(-1)).toBe(DONE);
  });

  it('ends on EOS with an empty final delta and finish_reason stop, as TGI does', async () => {
    const simulator = await start();
    const chunks = (await streamOf(simulator, '/v1/chat/completions', { messages, stream: true })).slice(0, -1) as ChatChunk[];
    expect(chunks.at(-1)!.choices[0]).toMatchObject({ delta: { role: 'assistant', content: '' }, finish_reason: 'stop' });
  });

  it('reports validation errors in-band in TGI’s chat error format, then [DONE]', async () => {
    const simulator = await start();
    const text = await (await post(simulator, '/v1/chat/completions', { ...chat, top_p: 1.0, stream: true })).text();
    expect(text).toBe(readFileSync(new URL('../fixtures/tgi/chat-stream-error.sse.txt', import.meta.url), 'utf8').trimEnd() + '\n\n');
    expect(simulator.stats()).toMatchObject({ erroredStreams: 1, activeStreams: 0 });
  });
});

describe('TGI POST /v1/completions', () => {
  it('answers TGI’s text_completion shape with the same text as /generate', async () => {
    const simulator = await start();
    const response = await post(simulator, '/v1/completions', { model: 'tgi', prompt: 'What is Deep Learning?', max_tokens: 5, temperature: 0.7, seed: 42 });
    const body = (await response.json()) as TextBody & Record<string, unknown>;
    expect(Object.keys(body)).toEqual(Object.keys(fixture('completions-response.json') as object));
    expect(body.choices[0]).toMatchObject({ index: 0, logprobs: null, finish_reason: 'length' });
    const generated = await generate(simulator, 'What is Deep Learning?', { max_new_tokens: 5, temperature: 0.7, seed: 42, do_sample: true });
    expect(body.choices[0]!.text).toBe(generated.generated_text);
    expect(body.usage).toEqual({ prompt_tokens: tokenize('What is Deep Learning?').length, completion_tokens: 5, total_tokens: tokenize('What is Deep Learning?').length + 5 });
  });

  it('streams chunks with finish_reason "" until the last, then [DONE]', async () => {
    const simulator = await start();
    const chunks = await streamOf(simulator, '/v1/completions', { prompt: 'Hello', max_tokens: 3, stream: true });
    expect(chunks.at(-1)).toBe(DONE);
    const data = chunks.slice(0, -1) as TextChunk[];
    expect(Object.keys(data[0]!)).toEqual(Object.keys(fixture('completions-stream-chunk.json') as object));
    expect(data.map((chunk) => chunk.choices[0]!.finish_reason)).toEqual(['', '', 'length']);
    const whole = (await (await post(simulator, '/v1/completions', { prompt: 'Hello', max_tokens: 3 })).json()) as TextBody;
    expect(data.map((chunk) => chunk.choices[0]!.text).join('')).toBe(whole.choices[0]!.text);
  });
});

describe('TGI Messages API under faults', () => {
  it('errorAfterTokens: N chunks, the generation error in chat format, [DONE]; 424 without stream', async () => {
    const simulator = await start({ faults: { errorAfterTokens: 2 } });
    const chunks = await streamOf(simulator, '/v1/chat/completions', { ...chat, stream: true });
    expect(chunks).toHaveLength(4);
    expect(chunks[2]).toEqual({
      error: { message: 'Request failed during generation: Server error: CUDA out of memory. Tried to allocate 2.00 GiB', http_status_code: 424 },
    });
    expect(chunks[3]).toBe(DONE);
    expect(simulator.stats().erroredStreams).toBe(1);
    const response = await post(simulator, '/v1/chat/completions', chat);
    expect(response.status).toBe(424);
    expect(await response.json()).toMatchObject({ error_type: 'generation' });
  });

  it('overloaded: in-band 429 error event on a stream, 429 without', async () => {
    const simulator = await start({ faults: { overloaded: true } });
    expect(await streamOf(simulator, '/v1/chat/completions', { ...chat, stream: true })).toEqual([
      { error: { message: 'Model is overloaded', http_status_code: 429 } },
      DONE,
    ]);
    expect((await post(simulator, '/v1/chat/completions', chat)).status).toBe(429);
  });

  it('dropAfterTokens destroys the socket; stallAfterTokens goes silent; httpStatus and refuseConnections apply', async () => {
    const simulator = await start({ faults: { dropAfterTokens: 2, times: 1 } });
    const dropped = await post(simulator, '/v1/chat/completions', { ...chat, stream: true });
    await expect(dropped.text()).rejects.toThrow();
    expect(simulator.stats().droppedStreams).toBe(1);
    simulator.setFaults({ stallAfterTokens: 1, times: 1 });
    const controller = new AbortController();
    const stalled = await post(simulator, '/v1/chat/completions', { ...chat, stream: true }, {}, controller.signal);
    await readUntil(stalled, (text) => countData(text) >= 1);
    await sleep(30);
    expect(simulator.stats()).toMatchObject({ activeStreams: 1 });
    controller.abort();
    await waitFor(() => simulator.stats().abortedStreams === 1);
    simulator.setFaults({ httpStatus: 503, times: 1 });
    expect((await post(simulator, '/v1/completions', { prompt: 'x' })).status).toBe(503);
    simulator.setFaults({ refuseConnections: true, times: 1 });
    await expect(post(simulator, '/v1/completions', { prompt: 'x' })).rejects.toThrow();
    expect(simulator.stats()).toMatchObject({ refusedConnections: 1, faultedRequests: 4 });
  });

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
});

describe('TGI apiKey', () => {
  it('guards the generation routes only, with an empty 401', async () => {
    const simulator = await start({ apiKey: 'sk-tgi' });
    for (const path of ['/generate', '/generate_stream', '/', '/v1/chat/completions', '/v1/completions']) {
      const response = await post(simulator, path, { inputs: 'x', prompt: 'x', messages });
      expect([path, response.status, await response.text()]).toEqual([path, 401, '']);
    }
    expect((await post(simulator, '/generate', { inputs: 'x' }, { authorization: 'Bearer wrong' })).status).toBe(401);
    const allowed = await post(simulator, '/v1/chat/completions', { messages, max_tokens: 2 }, { authorization: 'Bearer sk-tgi' });
    expect(allowed.status).toBe(200);
    for (const path of ['/health', '/', '/info', '/v1/models', '/metrics']) expect((await fetch(simulator.url + path)).status).toBe(200);
    expect(simulator.stats()).toMatchObject({ faultedRequests: 0, completedGenerations: 1 });
  });
});

describe('TGI Messages API bookkeeping', () => {
  it('counts the routes and records the body and authorization header of each request', async () => {
    const simulator = await start();
    const body = { ...chat, stream: true, stream_options: { include_usage: true } };
    await (await post(simulator, '/v1/chat/completions', body, { authorization: 'Bearer abc', 'x-request-id': 'r-1' })).text();
    await (await post(simulator, '/v1/completions', { prompt: 'x', max_tokens: 1 })).text();
    expect(simulator.stats().requestsByRoute).toEqual({ 'POST /v1/chat/completions': 1, 'POST /v1/completions': 1 });
    const seen = simulator.lastRequest('POST /v1/chat/completions')!;
    expect(seen).toMatchObject({ route: 'POST /v1/chat/completions', authorization: 'Bearer abc', body });
    expect(seen.headers['x-request-id']).toBe('r-1');
    expect(simulator.lastRequest()!.route).toBe('POST /v1/completions');
    expect(simulator.requests()).toHaveLength(2);
    expect(await (await fetch(`${simulator.url}/__simulator/requests`)).json()).toHaveLength(2);
    simulator.clearRequests();
    expect(simulator.requests()).toEqual([]);
    expect(simulator.stats().lastGenerationSeed).toBe(null);
  });
});
