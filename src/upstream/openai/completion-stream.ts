// A `/v1/completions` stream → the gateway's StreamTokens, shaped as TGI's:
// indexes from 1, and the last token carries the whole text and the details.
//
// A chunk with text or token ids is one token (vLLM may pack several ids into
// one chunk: the first id names it, -1 when the server sends none; logprobs
// are not asked for). No token is held back to learn whether it is the last:
// each one leaves as soon as its chunk arrives. Only the chunk that carries
// the finish reason waits for the usage that follows it (or `[DONE]`, or the
// end of the body), so that its token goes out last with the details. Where
// the server reports the end in a chunk of its own (llama.cpp, and vLLM when
// its last chunk has no text), the last event is an empty token (`text: ""`,
// `id: -1`, `special: true`) with the text and details. `generatedTokens` is
// the server's `completion_tokens`, else the number of tokens seen; the seed
// is not reported by these servers (null).
//
// A failure of the server after the finish chunk (rare: the usage never
// comes whole) still hands on that chunk's token, as an ordinary one, before
// the failure; an abort (the client left, a deadline) does not.
import type { FinishReason, StreamToken, Token, TokenUsage } from '../types.ts';
import { decodeIterable, type BodyDecoder, type Emit } from '../body-events.ts';
import { chunkEvents, type ChunkHandler } from '../openai-wire/chunks.ts';
import { toFinishReason } from '../openai-wire/finish.ts';
import { protocolError, type Json } from '../json.ts';
import type { RequestTiedMessages } from '../openai-wire/errors.ts';

export type FinalStreamToken = StreamToken & { usage: TokenUsage | null };

export interface CompletionStreamOptions {
  /** Put before the generated text of the final token (the prompt, for return_full_text). */
  prefix?: string;
  /** The request's signal: once it fired, a failure no longer hands on the held token. */
  signal?: AbortSignal;
  /** The server's messages of failures the request caused (see ../openai-wire/errors.ts). */
  requestTied?: RequestTiedMessages;
}

/** The last event's token when the end came in a chunk of its own. */
const END_TOKEN: Token = { id: -1, text: '', logprob: null, special: true };

function tokenOf(choice: Json): Token | null {
  const { text } = choice;
  if (typeof text !== 'string') throw protocolError('stream event without text');
  const ids = choice.token_ids;
  if (ids !== undefined && ids !== null && !Array.isArray(ids)) throw protocolError('malformed token_ids');
  const first: unknown = ids?.[0];
  if (text.length === 0 && first === undefined) return null;
  if (first !== undefined && typeof first !== 'number') throw protocolError('malformed token_ids');
  return { id: first ?? -1, text, logprob: null, special: false };
}

class CompletionTokens implements ChunkHandler {
  readonly #emit: Emit<StreamToken>;
  readonly #signal: AbortSignal | undefined;
  #index = 0;
  /** The finish chunk's token, waiting for the usage. */
  #held: Token | null = null;
  #seen = 0;
  #text: string;
  #finish: FinishReason | null = null;
  #sent = false;

  constructor(emit: Emit<StreamToken>, options: CompletionStreamOptions) {
    this.#emit = emit;
    this.#signal = options.signal;
    this.#text = options.prefix ?? '';
  }

  choice(choice: Json, finish: string | null): void {
    const token = tokenOf(choice);
    if (token) {
      this.#seen += 1;
      this.#text += token.text;
    }
    if (finish === null) {
      if (token) this.#emit({ index: ++this.#index, token, generatedText: null, details: null });
      return;
    }
    this.#held = token;
    this.#finish = toFinishReason(finish, choice);
  }

  end(usage: TokenUsage | null): void {
    this.#sent = true;
    const last: FinalStreamToken = {
      index: ++this.#index,
      token: this.#held ?? END_TOKEN,
      generatedText: this.#text,
      details: { finishReason: this.#finish!, generatedTokens: usage?.completionTokens ?? this.#seen, seed: null },
      usage,
    };
    this.#emit(last);
  }

  fail(): void {
    // The server failed after sending this token: it is the client's all the same.
    if (this.#held === null || this.#sent || this.#signal?.aborted === true) return;
    this.#sent = true;
    this.#emit({ index: ++this.#index, token: this.#held, generatedText: null, details: null });
  }
}

/** The decoder of a `/v1/completions` stream, its tokens handed to `emit` (see the file's head). */
export function completionEvents(emit: Emit<StreamToken>, options: CompletionStreamOptions = {}): BodyDecoder {
  return chunkEvents(new CompletionTokens(emit, options), options.requestTied);
}

/** The same over a body given as chunks. */
export function decodeCompletionStream(body: AsyncIterable<Uint8Array>, options: CompletionStreamOptions = {}): AsyncGenerator<StreamToken, void, undefined> {
  return decodeIterable(body, (emit) => completionEvents(emit, options));
}
