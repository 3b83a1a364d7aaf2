// A `/v1/completions` stream → the gateway's StreamTokens, shaped as TGI's:
// indexes from 1, and the last token carries the whole text and the details.
//
// A chunk with text or token ids is one token (vLLM may pack several ids into
// one chunk: the first id names it, -1 when the server sends none; logprobs
// are not asked for). TGI's last event is a real token; here the finish
// reason can come on a chunk of its own, and the usage after it. So each token
// is held back one chunk: the last one that carried text is sent as the final
// token once the finish is known and its usage (or `[DONE]`, or the end of
// the body) has come. A generation that produced no token at all still ends
// with one final token, of empty text. `generatedTokens` is the server's
// `completion_tokens`, else the number of tokens seen; the seed is not
// reported by these servers (null).
//
// A failure of the server (an in-band error event, a body cut or ended before
// the finish) still hands on the token it held, as an ordinary one, before the
// failure: the client gets every token the server sent, as from TGI. An abort
// (the client left, a deadline) does not: nobody wants it any more.
import type { StreamToken, Token, TokenUsage } from '../types.ts';
import { streamChunks } from '../openai-wire/chunks.ts';
import { toFinishReason } from '../openai-wire/finish.ts';
import { protocolError, type Json } from '../json.ts';

export type FinalStreamToken = StreamToken & { usage: TokenUsage | null };

export interface CompletionStreamOptions {
  /** Put before the generated text of the final token (the prompt, for return_full_text). */
  prefix?: string;
  /** The request's signal: once it fired, a failure no longer hands on the held token. */
  signal?: AbortSignal;
}

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
  let held: Token | null = null;
  let seen = 0;
  let text = options.prefix ?? '';
  let finish: ReturnType<typeof toFinishReason> | null = null;
  let sent = false;
  const last = (usage: TokenUsage | null): FinalStreamToken => {
    sent = true;
    return {
      index: ++index,
      token: held ?? { id: -1, text: '', logprob: null, special: false },
      generatedText: text,
      details: { finishReason: finish!, generatedTokens: usage?.completionTokens ?? seen, seed: null },
      usage,
    };
  };

  try {
    for await (const chunk of streamChunks(body)) {
      if (chunk.kind === 'end') {
        yield last(chunk.usage);
        continue;
      }
      const token = tokenOf(chunk.choice);
      if (token) {
        if (held) yield { index: ++index, token: held, generatedText: null, details: null };
        held = token;
        seen += 1;
        text += token.text;
      }
      if (chunk.finish !== null) finish = toFinishReason(chunk.finish, chunk.choice);
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
