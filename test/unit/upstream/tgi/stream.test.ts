import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../../src/upstream/errors.ts';
import type { UpstreamFailure } from '../../../../src/upstream/errors.ts';
import { decodeTokenStream } from '../../../../src/upstream/tgi/stream.ts';
import type { StreamToken } from '../../../../src/upstream/types.ts';
import { example } from './examples.ts';

const encoder = new TextEncoder();
const bytes = (text: string): Uint8Array => encoder.encode(text);

async function* body(...chunks: Uint8Array[]): AsyncGenerator<Uint8Array, void, undefined> {
  for (const chunk of chunks) yield chunk;
}

/** The body cut into chunks of `size` bytes, boundaries falling wherever they fall. */
function chunked(data: Uint8Array, size: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < data.byteLength; at += size) chunks.push(data.subarray(at, at + size));
  return chunks;
}

interface Outcome {
  tokens: StreamToken[];
  failure: UpstreamFailure | undefined;
}

/** Every token the decoder yields, and the failure it ends with, if any. */
async function decode(source: AsyncIterable<Uint8Array>): Promise<Outcome> {
  const tokens: StreamToken[] = [];
  try {
    for await (const token of decodeTokenStream(source)) tokens.push(token);
  } catch (error) {
    if (!(error instanceof UpstreamError)) throw error;
    return { tokens, failure: error.failure };
  }
  return { tokens, failure: undefined };
}

const token = (id: number, text: string, logprob: number) => ({ id, text, logprob, special: false });

/** What examples/generate-stream.sse.txt means. */
const TRANSCRIPT: StreamToken[] = [
  { index: 1, token: token(18682, ' Deep', -0.21875), generatedText: null, details: null },
  { index: 2, token: token(6975, ' learning', -0.0012207031), generatedText: null, details: null },
  { index: 3, token: token(374, ' is', -0.052734375), generatedText: null, details: null },
  { index: 4, token: token(264, ' a', -0.30908203), generatedText: null, details: null },
  {
    index: 5,
    token: token(27084, ' subset', -0.85742188),
    generatedText: ' Deep learning is a subset',
    details: { finishReason: 'LENGTH', generatedTokens: 5, seed: '42' },
    // TGI's final event gives the prompt's length: the usage the server reported.
    usage: { promptTokens: 6, completionTokens: 5, totalTokens: 11 },
  },
];

const STREAM = example('generate-stream.sse.txt');

/** A TGI stream whose tokens are `texts`, the last one final, framed exactly as TGI frames it. */
function streamOf(texts: readonly string[]): string {
  return texts
    .map((text, i) => {
      const final = i === texts.length - 1;
      const event = {
        index: i + 1,
        token: { id: 100 + i, text, logprob: -0.5, special: false },
        generated_text: final ? texts.join('') : null,
        details: final ? { finish_reason: 'eos_token', generated_tokens: texts.length, seed: null, input_length: 3 } : null,
      };
      return `data: ${JSON.stringify(event)}\n\n`;
    })
    .join('');
}

describe('decodeTokenStream', () => {
  describe('framing', () => {
    it('decodes a whole TGI transcript delivered in one chunk', async () => {
      expect(await decode(body(bytes(STREAM)))).toEqual({ tokens: TRANSCRIPT, failure: undefined });
    });

    it('decodes the same tokens whichever byte the body is split at', async () => {
      const data = bytes(STREAM);
      for (let at = 1; at < data.byteLength; at++) {
        const outcome = await decode(body(data.subarray(0, at), data.subarray(at)));
        expect(outcome, `split at byte ${at}`).toEqual({ tokens: TRANSCRIPT, failure: undefined });
      }
    });

    it('decodes the same tokens from a body that arrives one byte at a time', async () => {
      expect(await decode(body(...chunked(bytes(STREAM), 1)))).toEqual({ tokens: TRANSCRIPT, failure: undefined });
    });

    it('decodes CRLF line endings like LF ones, at any split', async () => {
      const data = bytes(STREAM.replaceAll('\n', '\r\n'));
      expect(await decode(body(data))).toEqual({ tokens: TRANSCRIPT, failure: undefined });
      expect(await decode(body(...chunked(data, 1)))).toEqual({ tokens: TRANSCRIPT, failure: undefined });
      for (let at = 1; at < data.byteLength; at++) {
        const outcome = await decode(body(data.subarray(0, at), data.subarray(at)));
        expect(outcome, `split at byte ${at}`).toEqual({ tokens: TRANSCRIPT, failure: undefined });
      }
    });

    it('accepts `data:` without a space after the colon, as TGI 2.0 and older send it', async () => {
      const legacy = STREAM.replaceAll('data: ', 'data:');
      expect(legacy).not.toContain('data: ');
      expect(await decode(body(bytes(legacy)))).toEqual({ tokens: TRANSCRIPT, failure: undefined });
      expect(await decode(body(...chunked(bytes(legacy), 1)))).toEqual({ tokens: TRANSCRIPT, failure: undefined });
    });

    it('ignores keep-alive comments before the first event and between events', async () => {
      const [first, ...rest] = STREAM.split('\n\n');
      const withKeepAlives = `:\n\n:\n\n${first}\n\n:\n\n: keep-alive\n\n${rest.join('\n\n')}`;
      expect(await decode(body(bytes(withKeepAlives)))).toEqual({ tokens: TRANSCRIPT, failure: undefined });
      expect(await decode(body(...chunked(bytes(withKeepAlives), 1)))).toEqual({ tokens: TRANSCRIPT, failure: undefined });
    });

    it('yields a token as soon as its event is complete, without waiting for more of the body', async () => {
      const [first] = STREAM.split('\n\n');
      let release = (): void => undefined;
      const more = new Promise<void>((resolve) => (release = resolve));
      async function* slow(): AsyncGenerator<Uint8Array, void, undefined> {
        yield bytes(`${first}\n\n`);
        await more;
      }
      const tokens = decodeTokenStream(slow());
      expect((await tokens.next()).value).toEqual(TRANSCRIPT[0]);
      release();
      await expect(tokens.next()).rejects.toBeInstanceOf(UpstreamError);
    });
  });

  describe('multi-byte UTF-8', () => {
    const texts = [' 日本語', ' 🙂', ' café', ' naïve 🙂日本'];
    const data = bytes(streamOf(texts));

    it('decodes tokens with multi-byte characters', async () => {
      const { tokens, failure } = await decode(body(data));
      expect(failure).toBeUndefined();
      expect(tokens.map((t) => t.token.text)).toEqual(texts);
      expect(tokens.at(-1)?.generatedText).toBe(texts.join(''));
    });

    it('splits inside a multi-byte character still decode to the same text', async () => {
      const whole = await decode(body(data));
      let insideCharacter = 0;
      for (let at = 1; at < data.byteLength; at++) {
        // A UTF-8 continuation byte (10xxxxxx) at the cut means the cut is inside a character.
        if ((data[at]! & 0xc0) === 0x80) insideCharacter++;
        expect(await decode(body(data.subarray(0, at), data.subarray(at))), `split at byte ${at}`).toEqual(whole);
      }
      expect(insideCharacter).toBeGreaterThan(10);
      expect(await decode(body(...chunked(data, 1)))).toEqual(whole);
    });
  });

  describe('in-band errors', () => {
    it('throws the overloaded event that opens a stream as an in-band UpstreamError', async () => {
      const { tokens, failure } = await decode(body(bytes(example('generate-stream-overloaded.sse.txt'))));
      expect(tokens).toEqual([]);
      expect(failure).toEqual({ kind: 'in-band', errorType: 'overloaded', message: 'Model is overloaded' });
    });

    it('throws the validation event that opens a stream as an in-band UpstreamError', async () => {
      const { tokens, failure } = await decode(body(bytes(example('generate-stream-validation-error.sse.txt'))));
      expect(tokens).toEqual([]);
      expect(failure).toMatchObject({ kind: 'in-band', errorType: 'validation' });
      expect(failure).toHaveProperty('message', expect.stringContaining('Input validation error'));
    });

    it('yields the tokens before a generation error, then throws it', async () => {
      const data = bytes(example('generate-stream-error-midway.sse.txt'));
      for (const chunks of [[data], chunked(data, 1)]) {
        const { tokens, failure } = await decode(body(...chunks));
        expect(tokens).toEqual(TRANSCRIPT.slice(0, 2));
        expect(failure).toMatchObject({ kind: 'in-band', errorType: 'generation' });
        expect(failure).toHaveProperty('message', expect.stringContaining('CUDA out of memory'));
      }
    });
  });

  describe('broken and malformed bodies', () => {
    it('throws kind "broken" when the body ends before the final event', async () => {
      const beforeFinal = STREAM.slice(0, STREAM.lastIndexOf('data: '));
      const { tokens, failure } = await decode(body(bytes(beforeFinal)));
      expect(tokens).toEqual(TRANSCRIPT.slice(0, 4));
      expect(failure).toMatchObject({ kind: 'broken' });
    });

    it('throws kind "broken" when the body ends inside the final event', async () => {
      const cut = STREAM.slice(0, STREAM.lastIndexOf('"details"'));
      expect(await decode(body(bytes(cut)))).toMatchObject({ tokens: TRANSCRIPT.slice(0, 4), failure: { kind: 'broken' } });
    });

    it('treats a final event without its closing blank line as never sent', async () => {
      const unterminated = STREAM.slice(0, -1);
      expect(await decode(body(bytes(unterminated)))).toMatchObject({ tokens: TRANSCRIPT.slice(0, 4), failure: { kind: 'broken' } });
    });

    it('throws kind "broken" for an empty body or one with keep-alives only', async () => {
      expect(await decode(body())).toEqual({ tokens: [], failure: expect.objectContaining({ kind: 'broken' }) });
      expect(await decode(body(bytes(':\n\n:\n\n')))).toEqual({ tokens: [], failure: expect.objectContaining({ kind: 'broken' }) });
    });

    it('throws kind "protocol" for an event that is not JSON', async () => {
      expect(await decode(body(bytes('data: <html>\n\n')))).toEqual({ tokens: [], failure: expect.objectContaining({ kind: 'protocol' }) });
    });

    it('throws kind "protocol" for an event larger than 1 MiB arriving in socket-sized chunks', async () => {
      const huge = bytes(streamOf(['x'.repeat((1 << 20) + 1024)]));
      const { tokens, failure } = await decode(body(...chunked(huge, 64 * 1024)));
      expect(tokens).toEqual([]);
      expect(failure).toMatchObject({ kind: 'protocol' });
    });

    it('throws kind "protocol" for an event larger than 1 MiB even when it arrives in one chunk', async () => {
      const huge = bytes(streamOf(['x'.repeat((1 << 20) + 1024)]));
      const { tokens, failure } = await decode(body(huge));
      expect(tokens).toEqual([]);
      expect(failure).toMatchObject({ kind: 'protocol' });
    });
  });

  describe('after the final event', () => {
    it('drains bytes after the final event without parsing them, reading the body to its end', async () => {
      let ended = false;
      async function* source(): AsyncGenerator<Uint8Array, void, undefined> {
        yield bytes(`${STREAM}data: not json\n\n`);
        yield bytes('data: {"error":"late","error_type":"generation"}\n\n');
        yield bytes('garbage without framing');
        ended = true;
      }
      expect(await decode(source())).toEqual({ tokens: TRANSCRIPT, failure: undefined });
      expect(ended).toBe(true);
    });

    it('stops reading when more than 64 KiB follow the final event', async () => {
      let pulled = 0;
      async function* source(): AsyncGenerator<Uint8Array, void, undefined> {
        const filler = new Uint8Array(40 * 1024).fill(0x78);
        for (const chunk of [bytes(STREAM), filler, filler, filler, filler]) {
          pulled++;
          yield chunk;
        }
      }
      expect(await decode(source())).toEqual({ tokens: TRANSCRIPT, failure: undefined });
      expect(pulled).toBe(3);
    });
  });

  describe('seeds', () => {
    it('keeps a u64 seed above 2^53 exactly as its decimal text', async () => {
      const final =
        'data: {"index":1,"token":{"id":7,"text":" ok","logprob":-0.1,"special":false},"generated_text":" ok",' +
        '"details":{"finish_reason":"length","generated_tokens":1,"seed":18446744073709551615,"input_length":2}}\n\n';
      const { tokens, failure } = await decode(body(...chunked(bytes(final), 7)));
      expect(failure).toBeUndefined();
      expect(tokens[0]?.details?.seed).toBe('18446744073709551615');
    });
  });
});
