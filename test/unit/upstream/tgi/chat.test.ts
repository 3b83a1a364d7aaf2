import { describe, expect, it } from 'vitest';
import { buildTgiChatRequest, decodeTgiChatStream, parseTgiChatResponse, TGI_CHAT_MODEL } from '../../../../src/upstream/tgi/chat.ts';
import type { ChatRequest } from '../../../../src/upstream/types.ts';
import { wireJson } from '../../../../src/upstream/http.ts';
import { body, drain, sse } from '../openai/streams.ts';
import { example } from './examples.ts';

const MESSAGES: ChatRequest['messages'] = [
  { role: 'system', content: 'You are a helpful assistant.' },
  { role: 'user', content: 'What is deep learning?' },
];
const request = (parameters: ChatRequest['parameters']): ChatRequest => ({ messages: MESSAGES, parameters });

/** A chunk as TGI's Messages API writes it (fixture shape). */
const chunk = (content: string, finish: string | null = null) => ({
  object: 'chat.completion.chunk',
  id: '',
  created: 1767225600,
  model: 'meta-llama/Llama-3.1-8B-Instruct',
  system_fingerprint: '3.3.6-dev0-sha-9d4cf2e',
  choices: [{ index: 0, delta: { role: 'assistant', content }, logprobs: null, finish_reason: finish }],
  usage: null,
});
const usageChunk = JSON.parse(example('chat-stream-usage-chunk.json')) as object;

describe('buildTgiChatRequest', () => {
  it('writes the fixture request, model "tgi" by default', () => {
    const body = buildTgiChatRequest(request({ maxNewTokens: 32, temperature: 0.7, topP: 0.95, seed: 42n, stop: ['\n\n'] }), { stream: true });
    expect(body.model).toBe(TGI_CHAT_MODEL);
    expect(JSON.parse(wireJson(body))).toEqual(JSON.parse(example('chat-request.json')));
  });

  it('takes a configured model name', () => {
    expect(buildTgiChatRequest(request({}), { stream: false, model: 'llama' })).toEqual({ model: 'llama', messages: MESSAGES, stream: false });
  });

  it('is greedy with temperature 0 for doSample: false, and leaves out topP 1 (TGI wants it below 1)', () => {
    expect(buildTgiChatRequest(request({ doSample: false, temperature: 0.9, topP: 1 }), { stream: false })).toEqual({ model: 'tgi', messages: MESSAGES, temperature: 0, stream: false });
  });

  it('writes a u64 seed exactly and sends the penalties the route takes', () => {
    const body = buildTgiChatRequest(request({ seed: 18446744073709551615n, frequencyPenalty: 0.5, presencePenalty: 0.1 }), { stream: false });
    expect(wireJson(body)).toContain('"seed":18446744073709551615');
    expect(body).toMatchObject({ frequency_penalty: 0.5, presence_penalty: 0.1 });
  });

  it('leaves out what the route has no field for', () => {
    const body = buildTgiChatRequest(request({ topK: 5, repetitionPenalty: 1.2, truncate: 10, typicalP: 0.5, watermark: true, returnFullText: true }), { stream: false });
    expect(body).toEqual({ model: 'tgi', messages: MESSAGES, stream: false });
  });
});

describe('parseTgiChatResponse', () => {
  it('reads the fixture', () => {
    expect(parseTgiChatResponse(example('chat-response.json'), request({}))).toEqual({
      content: 'Deep learning is a subset of machine learning.',
      toolCalls: [],
      finishReason: 'EOS_TOKEN',
      usage: { promptTokens: 28, completionTokens: 11, totalTokens: 39 },
    });
  });

  it('reads a stop whose text ends with a requested stop sequence as STOP_SEQUENCE', () => {
    const response = JSON.parse(example('chat-response.json')) as { choices: { message: { content: string } }[] };
    response.choices[0]!.message.content = 'Deep learning is.\n\n';
    expect(parseTgiChatResponse(JSON.stringify(response), request({ stop: ['\n\n'] })).finishReason).toBe('STOP_SEQUENCE');
    expect(parseTgiChatResponse(JSON.stringify(response), request({ stop: ['END'] })).finishReason).toBe('EOS_TOKEN');
  });
});

describe('decodeTgiChatStream', () => {
  const decode = (text: string, req: ChatRequest = request({})) => drain(decodeTgiChatStream(body(text), req));

  it('decodes the fixture stream', async () => {
    expect(await decode(example('chat-stream.sse.txt'))).toEqual({
      events: [
        { delta: 'Deep', toolCallDeltas: [], finishReason: null, usage: null },
        { delta: ' learning', toolCallDeltas: [], finishReason: null, usage: null },
        { delta: '', toolCallDeltas: [], finishReason: 'EOS_TOKEN', usage: { promptTokens: 28, completionTokens: 3, totalTokens: 31 } },
      ],
      failure: undefined,
    });
  });

  it('decodes the fixture chunks: first, final, usage', async () => {
    const text = sse([JSON.parse(example('chat-stream-chunk.json')) as object, JSON.parse(example('chat-stream-final-chunk.json')) as object, usageChunk, '[DONE]']);
    expect((await decode(text)).events).toEqual([
      { delta: 'Deep', toolCallDeltas: [], finishReason: null, usage: null },
      { delta: '', toolCallDeltas: [], finishReason: 'EOS_TOKEN', usage: { promptTokens: 28, completionTokens: 11, totalTokens: 39 } },
    ]);
  });

  it('reads a stop sequence at the end of the streamed text, even split across chunks', async () => {
    const text = sse([chunk('Deep'), chunk(' learning.\n'), chunk('\n'), chunk('', 'stop'), usageChunk, '[DONE]']);
    expect((await decode(text, request({ stop: ['\n\n'] }))).events.at(-1)?.finishReason).toBe('STOP_SEQUENCE');
    expect((await decode(text, request({}))).events.at(-1)?.finishReason).toBe('EOS_TOKEN');
  });

  it('reads length', async () => {
    expect((await decode(sse([chunk('a'), chunk('', 'length'), '[DONE]']))).events.at(-1)).toEqual({ delta: '', toolCallDeltas: [], finishReason: 'LENGTH', usage: null });
  });

  it("throws TGI's in-stream error (fixture) as a validation failure", async () => {
    expect((await decode(example('chat-stream-error.sse.txt'))).failure).toEqual({
      kind: 'in-band',
      errorType: 'validation',
      message: 'Input validation error: `top_p` must be > 0.0 and < 1.0',
    });
  });

  it.each([
    [{ error: { message: 'Model is overloaded', http_status_code: 429 } }, 'overloaded'],
    [{ error: { message: 'Request failed during generation: CUDA OOM', http_status_code: 500 } }, 'generation'],
    [{ error: 'Request failed during generation', error_type: 'generation' }, 'generation'],
    [{ error: 'Input validation error: `inputs` must have less than 4096 tokens', error_type: 'validation' }, 'validation'],
  ])('maps the error event %j after a token to %s', async (event, errorType) => {
    const { events, failure } = await decode(sse([chunk('Deep'), event, '[DONE]']));
    expect(events).toHaveLength(1);
    expect(failure).toMatchObject({ kind: 'in-band', errorType });
  });
});
