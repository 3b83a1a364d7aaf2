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
import type { StreamToken, Token, TokenUsage } from '../types.ts';
import { streamChunks } from '../openai-wire/chunks.ts';
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

export async function* decodeCompletionStream(
  body: AsyncIterable<Uint8Array>,
  options: CompletionStreamOptions = {},
): AsyncGenerator<StreamToken, void, undefined> {
  let index = 0;
  /** The finish chunk's token, waiting for the usage. */
  let held: Token | null = null;
  let seen = 0;
  let text = options.prefix ?? '';
  let finish: ReturnType<typeof toFinishReason> | null = null;
  let sent = false;
  const last = (usage: TokenUsage | null): FinalStreamToken => {
    sent = true;
    return {
      index: ++index,
      token: held ?? END_TOKEN,
      generatedText: text,
      details: { finishReason: finish!, generatedTokens: usage?.completionTokens ?? seen, seed: null },
      usage,
    };
  };

  try {
    for await (const chunk of streamChunks(body, { requestTied: options.requestTied })) {
      if (chunk.kind === 'end') {
        yield last(chunk.usage);
        continue;
      }
      const token = tokenOf(chunk.choice);
      if (token) {
        seen += 1;
        text += token.text;
      }
      if (chunk.finish === null) {
        if (token) yield { index: ++index, token, generatedText: null, details: null };
        continue;
      }
      held = token;
      finish = toFinishReason(chunk.finish, chunk.choice);
    }
  } catch (error) {
    if (held !== null && !sent && options.signal?.aborted !== true) {
      // The server failed after sending this token: it is the client's all the same.
      const token = held;
      held = null;
      sent = true;
      yield { index: ++index, token, generatedText: null, details: null };
    }
    throw error;
  }
}
