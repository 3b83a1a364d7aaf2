import { describe, expect, it } from 'vitest';
import { decodeCompletionStream } from '../../../../src/upstream/openai/completion-stream.ts';
import type { StreamToken } from '../../../../src/upstream/types.ts';
import { example } from '../tgi/examples.ts';
import { body, bytes, chunked, drain, sse } from './streams.ts';

/** A completion chunk as vLLM writes it with return_token_ids. */
const chunk = (text: string, ids: number[] | undefined, finish: string | null = null, extra: object = {}) => ({
  id: 'cmpl-3',
  object: 'text_completion',
  created: 1767225600,
  model: 'm',
  choices: [{ index: 0, text, logprobs: null, finish_reason: finish, stop_reason: null, ...(ids ? { token_ids: ids } : {}), ...extra }],
});
const usageChunk = (prompt: number, completion: number) => ({
  id: 'cmpl-3',
  object: 'text_completion',
  created: 1767225600,
  model: 'm',
  choices: [],
  usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
});

const tok = (id: number, text: string) => ({ id, text, logprob: null, special: false });
const plain = (index: number, id: number, text: string): StreamToken => ({ index, token: tok(id, text), generatedText: null, details: null });

const VLLM_STREAM = sse([
  chunk(' Deep', [18682]),
  chunk(' learning', [6975]),
  chunk(' is', [374], 'length'),
  usageChunk(6, 3),
  '[DONE]',
]);

const TRANSCRIPT = [
  plain(1, 18682, ' Deep'),
  plain(2, 6975, ' learning'),
  {
    index: 3,
    token: tok(374, ' is'),
    generatedText: ' Deep learning is',
    details: { finishReason: 'LENGTH', generatedTokens: 3, seed: null },
    usage: { promptTokens: 6, completionTokens: 3, totalTokens: 9 },
  },
];

const decode = (...chunks: (Uint8Array | string)[]) => drain(decodeCompletionStream(body(...chunks)));

describe('decodeCompletionStream', () => {
  it('turns a vLLM stream into TGI-shaped tokens, the last with text, details and usage', async () => {
    expect(await decode(VLLM_STREAM)).toEqual({ events: TRANSCRIPT, failure: undefined });
  });

  it('decodes the same tokens whichever byte the body is split at', async () => {
    const data = bytes(VLLM_STREAM);
    for (let size = 1; size <= 40; size++) expect(await decode(...chunked(data, size))).toEqual({ events: TRANSCRIPT, failure: undefined });
  });

  it('holds no token back: when the finish comes in a chunk of its own, the last event is an empty special token with the details', async () => {
    const { events } = await decode(sse([chunk('a', [1]), chunk('b', [2]), chunk('', undefined, 'stop'), usageChunk(2, 3), '[DONE]']));
    expect(events).toEqual([
      plain(1, 1, 'a'),
      plain(2, 2, 'b'),
      {
        index: 3,
        token: { id: -1, text: '', logprob: null, special: true },
        generatedText: 'ab',
        details: { finishReason: 'EOS_TOKEN', generatedTokens: 3, seed: null },
        usage: { promptTokens: 2, completionTokens: 3, totalTokens: 5 },
      },
    ]);
  });

  it('counts the tokens itself when no usage comes, and names tokens -1 without ids', async () => {
    const { events } = await decode(sse([chunk('a', undefined), chunk('b', undefined, 'stop', { stop_reason: '\n' }), '[DONE]']));
    expect(events).toEqual([
      plain(1, -1, 'a'),
      { index: 2, token: tok(-1, 'b'), generatedText: 'ab', details: { finishReason: 'STOP_SEQUENCE', generatedTokens: 2, seed: null }, usage: null },
    ]);
  });

  it('counts an EOS chunk of empty text that carries its id as a token', async () => {
    const { events } = await decode(sse([chunk('a', [1]), chunk('', [2], 'stop'), '[DONE]']));
    expect(events.map((e) => e.token.id)).toEqual([1, 2]);
    expect(events[1]?.details?.generatedTokens).toBe(2);
  });

  it('ends with one empty final token when nothing was generated', async () => {
    expect((await decode(sse([chunk('', undefined, 'stop'), usageChunk(3, 0), '[DONE]']))).events).toEqual([
      {
        index: 1,
        token: { id: -1, text: '', logprob: null, special: true },
        generatedText: '',
        details: { finishReason: 'EOS_TOKEN', generatedTokens: 0, seed: null },
        usage: { promptTokens: 3, completionTokens: 0, totalTokens: 3 },
      },
    ]);
  });

  it('puts the prefix (the prompt, for return_full_text) before the final text only', async () => {
    const { events } = await drain(decodeCompletionStream(body(VLLM_STREAM), { prefix: 'Q:' }));
    expect(events.map((e) => e.token.text)).toEqual([' Deep', ' learning', ' is']);
    expect(events.at(-1)?.generatedText).toBe('Q: Deep learning is');
  });

  it("reads TGI's completion chunk (fixture), whose finish_reason is \"\" until the end", async () => {
    const first = JSON.parse(example('completions-stream-chunk.json')) as { choices: object[] };
    const last = { ...first, choices: [{ index: 0, text: ' learning', logprobs: null, finish_reason: 'length' }] };
    const { events, failure } = await decode(sse([first, last, '[DONE]']));
    expect(failure).toBeUndefined();
    expect(events.map((e) => [e.index, e.token.text, e.generatedText])).toEqual([[1, ' Deep', null], [2, ' learning', ' Deep learning']]);
  });

  it('reads CRLF framing, comments and characters split between chunks', async () => {
    const data = bytes(sse([': keep-alive', chunk('é', [1]), chunk('🌍', [2], 'length'), '[DONE]'], '\r\n'));
    for (const size of [1, 2, 3]) expect((await decode(...chunked(data, size))).events.at(-1)?.generatedText).toBe('é🌍');
  });

  describe('failures', () => {
    it('throws an error event after tokens as in-band, having sent the tokens before it', async () => {
      const error = { error: { message: 'Internal server error', type: 'InternalServerError', param: null, code: 500 } };
      expect(await decode(sse([chunk('a', [1]), chunk('b', [2]), error, '[DONE]']))).toEqual({
        events: [plain(1, 1, 'a'), plain(2, 2, 'b')],
        failure: { kind: 'in-band', errorType: 'generation', message: 'Internal server error' },
      });
    });

    it('hands on every token before a stream that ends early', async () => {
      expect(await decode(sse([chunk('a', [1]), chunk('b', [2])]))).toMatchObject({
        events: [plain(1, 1, 'a'), plain(2, 2, 'b')],
        failure: { kind: 'broken' },
      });
    });

    it("hands on the finish chunk's token when the server fails before its usage, but not once the request was aborted", async () => {
      const cut = sse([chunk('a', [1]), chunk('b', [2], 'length'), { error: { message: 'engine died', code: 500 } }]);
      expect(await decode(cut)).toMatchObject({ events: [plain(1, 1, 'a'), plain(2, 2, 'b')], failure: { kind: 'in-band' } });
      const aborted = AbortSignal.abort();
      expect(await drain(decodeCompletionStream(body(cut), { signal: aborted }))).toMatchObject({ events: [plain(1, 1, 'a')] });
    });

    it("reads old llama.cpp's `error:` line as an in-band failure, a request-tied one when the dialect knows its message", async () => {
      const line = 'error: {"code":500,"message":"context shift is disabled","type":"server_error"}\n\n';
      const tied = await drain(decodeCompletionStream(body(sse([chunk('a', [1])]) + line), { requestTied: [/context shift is disabled/] }));
      expect(tied).toMatchObject({ events: [plain(1, 1, 'a')], failure: { kind: 'in-band', errorType: 'request', message: 'context shift is disabled' } });
      const other = await decode('error: {"code":400,"message":"the request exceeds the available context size","type":"exceed_context_size_error"}\n\n');
      expect(other.failure).toMatchObject({ kind: 'in-band', errorType: 'validation' });
    });

    it('is broken when the body ends before the finish', async () => {
      expect((await decode(sse([chunk('a', [1])]))).failure).toEqual({ kind: 'broken', detail: 'stream ended before its final event' });
      expect((await decode(sse([chunk('a', [1]), '[DONE]']))).failure).toMatchObject({ kind: 'broken' });
    });

    it('ends whole when the body ends after the finish without [DONE]', async () => {
      const { events, failure } = await decode(sse([chunk('a', [1], 'length')]));
      expect(failure).toBeUndefined();
      expect(events.at(-1)?.details?.finishReason).toBe('LENGTH');
    });

    it('is a protocol failure on a chunk without text', async () => {
      expect((await decode(sse([{ choices: [{ index: 0, finish_reason: null }] }]))).failure).toMatchObject({ kind: 'protocol' });
      expect((await decode(sse([chunk('a', ['x' as unknown as number])]))).failure).toMatchObject({ kind: 'protocol' });
    });
  });
});
