import { describe, expect, it } from 'vitest';
import { buildChatRequest, decodeChatStream, parseChatResponse } from '../../../../src/upstream/openai-wire/chat.ts';
import type { ChatDelta, ChatRequest } from '../../../../src/upstream/types.ts';
import { wireJson } from '../../../../src/upstream/http.ts';
import { example } from '../tgi/examples.ts';
import { body, bytes, chunked, drain, sse } from '../openai/streams.ts';

/** A chat chunk as vLLM writes it. */
const chunk = (delta: object, finish: string | null = null, extra: object = {}) => ({
  id: 'chatcmpl-7',
  object: 'chat.completion.chunk',
  created: 1767225600,
  model: 'Qwen/Qwen2.5-0.5B-Instruct',
  choices: [{ index: 0, delta, logprobs: null, finish_reason: finish, ...extra }],
});
const usageChunk = (prompt: number, completion: number) => ({
  id: 'chatcmpl-7',
  object: 'chat.completion.chunk',
  created: 1767225600,
  model: 'Qwen/Qwen2.5-0.5B-Instruct',
  choices: [],
  usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
});

const VLLM_STREAM = sse([
  chunk({ role: 'assistant', content: '' }),
  chunk({ content: 'Hel' }),
  chunk({ content: 'lo' }),
  chunk({ content: '' }, 'stop', { stop_reason: null }),
  usageChunk(12, 2),
  '[DONE]',
]);

const delta = (text: string): ChatDelta => ({ delta: text, toolCallDeltas: [], finishReason: null, usage: null });
const decode = (...chunks: (Uint8Array | string)[]) => drain(decodeChatStream(body(...chunks)));

describe('decodeChatStream', () => {
  it("decodes TGI's Messages API stream (fixture): role chunk with content, empty finish chunk, usage chunk", async () => {
    expect(await decode(example('chat-stream.sse.txt'))).toEqual({
      events: [
        delta('Deep'),
        delta(' learning'),
        { delta: '', toolCallDeltas: [], finishReason: 'EOS_TOKEN', usage: { promptTokens: 28, completionTokens: 3, totalTokens: 31 } },
      ],
      failure: undefined,
    });
  });

  it('decodes the same events whichever byte the fixture is split at', async () => {
    const data = bytes(example('chat-stream.sse.txt'));
    const whole = await decode(data);
    for (let size = 1; size <= 64; size++) expect(await decode(...chunked(data, size))).toEqual(whole);
  });

  it("drops vLLM's role-only first chunk and holds the finish until the usage chunk after it", async () => {
    expect(await decode(VLLM_STREAM)).toEqual({
      events: [delta('Hel'), delta('lo'), { delta: '', toolCallDeltas: [], finishReason: 'EOS_TOKEN', usage: { promptTokens: 12, completionTokens: 2, totalTokens: 14 } }],
      failure: undefined,
    });
  });

  it.each([
    ['stop', { stop_reason: '\n\n' }, 'STOP_SEQUENCE'],
    ['stop', { stop_reason: null }, 'EOS_TOKEN'],
    ['stop', { stop_reason: 128009 }, 'EOS_TOKEN'],
    ['stop', { matched_stop: 'END' }, 'STOP_SEQUENCE'],
    ['stop', {}, 'EOS_TOKEN'],
    ['length', { stop_reason: null }, 'LENGTH'],
    ['tool_calls', {}, 'EOS_TOKEN'],
    ['eos_token', {}, 'EOS_TOKEN'],
    ['stop_sequence', {}, 'STOP_SEQUENCE'],
  ])('reads finish_reason %s with %j as %s', async (finish, extra, expected) => {
    const { events } = await decode(sse([chunk({ content: 'a' }), chunk({ content: '' }, finish, extra), usageChunk(1, 1), '[DONE]']));
    expect(events.at(-1)?.finishReason).toBe(expected);
  });

  it('keeps the text of a finish chunk that has some in the last event', async () => {
    const { events } = await decode(sse([chunk({ content: 'a' }), chunk({ content: 'b' }, 'length'), usageChunk(3, 2), '[DONE]']));
    expect(events).toEqual([delta('a'), { delta: 'b', toolCallDeltas: [], finishReason: 'LENGTH', usage: { promptTokens: 3, completionTokens: 2, totalTokens: 5 } }]);
  });

  it('ends with usage null at [DONE] when no usage chunk came', async () => {
    const { events, failure } = await decode(sse([chunk({ content: 'a' }), chunk({}, 'stop'), '[DONE]']));
    expect(failure).toBeUndefined();
    expect(events).toEqual([delta('a'), { delta: '', toolCallDeltas: [], finishReason: 'EOS_TOKEN', usage: null }]);
  });

  it('sends the last event at once when the finish chunk carries its usage (no usage chunk follows)', async () => {
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    async function* slow() {
      yield bytes(sse([chunk({ content: 'a' }), { ...chunk({ content: '' }, 'stop'), usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }]));
      await blocked;
      yield bytes(sse(['[DONE]']));
    }
    const stream = decodeChatStream(slow());
    expect((await stream.next()).value).toEqual(delta('a'));
    expect((await stream.next()).value).toEqual({ delta: '', toolCallDeltas: [], finishReason: 'EOS_TOKEN', usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 } });
    release();
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it('ignores usage reported before the finish (continuous usage stats) and uses the one after it', async () => {
    const withUsage = (c: object, n: number) => ({ ...c, usage: { prompt_tokens: 5, completion_tokens: n, total_tokens: 5 + n } });
    const { events } = await decode(sse([withUsage(chunk({ content: 'a' }), 1), chunk({}, 'stop'), usageChunk(5, 2), '[DONE]']));
    expect(events.at(-1)).toEqual({ delta: '', toolCallDeltas: [], finishReason: 'EOS_TOKEN', usage: { promptTokens: 5, completionTokens: 2, totalTokens: 7 } });
  });

  it('skips reasoning chunks; a tool-call chunk is an event of its own, and the answer then ends with TOOL_CALLS', async () => {
    const { events } = await decode(sse([
      chunk({ role: 'assistant' }),
      chunk({ reasoning_content: 'thinking' }),
      chunk({ content: null, tool_calls: [{ index: 0 }] }),
      chunk({ content: 'x' }),
      chunk({}, 'stop'),
      '[DONE]',
    ]));
    expect(events.map((e) => e.delta)).toEqual(['', 'x', '']);
    expect(events[0]!.toolCallDeltas).toEqual([{ index: 0, argumentsDelta: '' }]);
    expect(events.at(-1)!.finishReason).toBe('TOOL_CALLS');
  });

  it('reads CRLF framing and keep-alive comments', async () => {
    const text = sse([': ping', chunk({ content: 'a' }), ': ping', chunk({}, 'stop'), usageChunk(1, 1), '[DONE]'], '\r\n');
    expect((await decode(text)).events.map((e) => e.delta)).toEqual(['a', '']);
  });

  it('reassembles characters split between chunks', async () => {
    const text = sse([chunk({ content: 'héllo 🌍' }), chunk({ content: '日本' }), chunk({}, 'stop'), '[DONE]']);
    const data = bytes(text);
    for (const size of [1, 2, 3, 5, 7]) {
      expect((await decode(...chunked(data, size))).events.map((e) => e.delta)).toEqual(['héllo 🌍', '日本', '']);
    }
  });

  it('reads the rest of the body after [DONE] (the connection goes back to the pool)', async () => {
    let ended = false;
    async function* source() {
      yield bytes(sse([chunk({ content: 'a' }), chunk({}, 'stop'), '[DONE]']));
      yield bytes('\n');
      ended = true;
    }
    const { events } = await drain(decodeChatStream(source()));
    expect(events).toHaveLength(2);
    expect(ended).toBe(true);
  });

  describe('failures', () => {
    it('throws an error event after tokens as in-band, by its code', async () => {
      const error = { error: { message: 'Internal server error', type: 'InternalServerError', param: null, code: 500 } };
      expect(await decode(sse([chunk({ role: 'assistant', content: '' }), chunk({ content: 'a' }), error, '[DONE]']))).toEqual({
        events: [delta('a')],
        failure: { kind: 'in-band', errorType: 'generation', message: 'Internal server error' },
      });
    });

    it.each([
      [{ error: { message: 'bad', type: 'BadRequestError', param: null, code: 400 } }, 'validation'],
      [{ error: { message: 'full', type: 'ServiceUnavailableError', code: 503 } }, 'overloaded'],
      [{ error: { message: 'slow down', type: 'rate_limit_error', code: 429 } }, 'overloaded'],
      [{ error: { message: 'bad', type: 'invalid_request_error', param: null, code: null } }, 'validation'],
      [{ error: { message: 'oops', type: 'api_error', code: null } }, 'generation'],
      [{ error: { object: 'error', message: 'bad', type: 'BadRequestError', code: 400 } }, 'validation'],
      [{ object: 'error', message: 'bad', type: 'BadRequestError', param: null, code: 400 }, 'validation'],
      [{ error: 'Model is overloaded', error_type: 'overloaded' }, 'overloaded'],
      [{ error: { message: 'Request failed during generation', http_status_code: 500 } }, 'generation'],
    ])('maps the error event %j to %s', async (event, errorType) => {
      const { failure } = await decode(sse([event, '[DONE]']));
      expect(failure).toMatchObject({ kind: 'in-band', errorType });
    });

    it("throws TGI's error event (fixture) as a validation failure with its message", async () => {
      expect(await decode(example('chat-stream-error.sse.txt'))).toEqual({
        events: [],
        failure: { kind: 'in-band', errorType: 'validation', message: 'Input validation error: `top_p` must be > 0.0 and < 1.0' },
      });
      const event = JSON.parse(example('chat-stream-error-event.json')) as object;
      expect((await decode(sse([event]))).failure).toMatchObject({ kind: 'in-band', errorType: 'validation' });
    });

    it('is broken when the body ends before a finish reason', async () => {
      expect(await decode(sse([chunk({ content: 'a' })]))).toEqual({
        events: [delta('a')],
        failure: { kind: 'broken', detail: 'stream ended before its final event' },
      });
    });

    it('is broken when [DONE] comes without a finish reason', async () => {
      expect((await decode(sse([chunk({ content: 'a' }), '[DONE]']))).failure).toMatchObject({ kind: 'broken' });
    });

    it('drops an event cut off without its blank line', async () => {
      const text = sse([chunk({ content: 'a' })]) + `data: ${JSON.stringify(chunk({}, 'stop'))}`;
      expect((await decode(text)).failure).toMatchObject({ kind: 'broken' });
    });

    it('ends whole when the body ends after the finish without [DONE]', async () => {
      expect(await decode(sse([chunk({ content: 'a' }), chunk({}, 'length')]))).toEqual({
        events: [delta('a'), { delta: '', toolCallDeltas: [], finishReason: 'LENGTH', usage: null }],
        failure: undefined,
      });
    });

    it('is a protocol failure on JSON that is not a chunk', async () => {
      expect((await decode('data: {not json\n\n')).failure).toMatchObject({ kind: 'protocol' });
      expect((await decode(sse([{ choices: 'x' }]))).failure).toMatchObject({ kind: 'protocol' });
      expect((await decode(sse([chunk({ content: 7 })]))).failure).toMatchObject({ kind: 'protocol' });
    });

    it('refuses an event far larger than any chunk', async () => {
      const huge = `data: ${'x'.repeat((1 << 20) + 10)}\n\n`;
      expect((await decode(huge)).failure).toEqual({ kind: 'protocol', detail: 'stream event too large' });
    });

    it("takes SGLang's abort finish as a failed generation", async () => {
      expect((await decode(sse([chunk({ content: 'a' }), chunk({}, 'abort'), '[DONE]']))).failure).toMatchObject({ kind: 'in-band', errorType: 'generation' });
    });
  });
});

describe('parseChatResponse', () => {
  it("reads TGI's chat response (fixture)", () => {
    expect(parseChatResponse(example('chat-response.json'))).toEqual({
      content: 'Deep learning is a subset of machine learning.',
      toolCalls: [],
      finishReason: 'EOS_TOKEN',
      usage: { promptTokens: 28, completionTokens: 11, totalTokens: 39 },
    });
  });

  it("reads TGI's tool-call answer (fixture): empty content and the call, its id as TGI gives it", () => {
    expect(parseChatResponse(example('chat-response-tool-call.json'))).toMatchObject({
      content: '',
      toolCalls: [{ id: '0', name: 'get_weather', arguments: '{"location":"Paris"}' }],
    });
  });

  it("reads vLLM's stop_reason", () => {
    const response = {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1,
      model: 'm',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hi', reasoning_content: null, tool_calls: [] }, logprobs: null, finish_reason: 'stop', stop_reason: '###' }],
      usage: { prompt_tokens: 4, total_tokens: 6, completion_tokens: 2, prompt_tokens_details: null },
    };
    expect(parseChatResponse(JSON.stringify(response))).toEqual({ content: 'Hi', toolCalls: [], finishReason: 'STOP_SEQUENCE', usage: { promptTokens: 4, completionTokens: 2, totalTokens: 6 } });
  });

  it('is a protocol failure without a message or finish reason', () => {
    expect(() => parseChatResponse('{"choices":[]}')).toThrow(/protocol error/);
    expect(() => parseChatResponse('{"choices":[{"index":0,"message":{"content":"a"},"finish_reason":null}]}')).toThrow(/finish_reason/);
    expect(() => parseChatResponse('[]')).toThrow(/protocol error/);
  });
});

describe('buildChatRequest', () => {
  const request: ChatRequest = {
    messages: [
      { role: 'system', content: 'You are a helpful assistant.' },
      { role: 'user', content: 'What is deep learning?' },
    ],
    parameters: { maxNewTokens: 32, temperature: 0.7, topP: 0.95, seed: 42n, stop: ['\n\n'] },
  };

  it("writes the fixture's streamed chat request", () => {
    const sent = JSON.parse(wireJson(buildChatRequest('tgi', request, { stream: true }))) as unknown;
    expect(sent).toEqual(JSON.parse(example('chat-request.json')));
  });

  it('asks for no stream options without a stream', () => {
    const sent = buildChatRequest('m', request, { stream: false });
    expect(sent.stream).toBe(false);
    expect(sent).not.toHaveProperty('stream_options');
  });
});
