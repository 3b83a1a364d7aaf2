// Why an OpenAI-compatible generation ended, in the gateway's three words.
//
// - `length` is LENGTH.
// - `stop` is STOP_SEQUENCE when the server names the stop string that matched
//   (vLLM's `stop_reason`, SGLang's `matched_stop`); a stop token id or null
//   there means the model ended it: EOS_TOKEN.
// - `stop` with neither field (TGI's Messages API, llama.cpp, Ollama) is
//   EOS_TOKEN, unless the caller passes the request's stop sequences and the
//   text ends with one (TGI keeps the matched stop sequence in its output; the
//   others drop it, so for them the rule never fires).
// - TGI's own `eos_token` / `stop_sequence` (older Messages API) mean what they say.
// - `abort` (SGLang) and `error` (vLLM) are not an end: the generation failed.
// - Anything else (`tool_calls`, `content_filter`) is EOS_TOKEN.
import { UpstreamError } from '../errors.ts';
import type { FinishReason } from '../types.ts';
import { protocolError, type Json } from '../json.ts';

/** A choice's `finish_reason` when it is set; null (or TGI's "") while the generation runs. */
export function finishOf(choice: Json): string | null {
  const reason = choice.finish_reason;
  if (reason === undefined || reason === null || reason === '') return null;
  if (typeof reason !== 'string') throw protocolError('malformed finish_reason');
  return reason;
}

/**
 * The finish reason of a choice whose `finish_reason` is `reason`. `text` is
 * the tail of the generated text and `stop` the request's stop sequences, for
 * servers that do not say which stop matched (pass no `stop` otherwise).
 */
export function toFinishReason(reason: string, choice: Json, text = '', stop?: readonly string[]): FinishReason {
  switch (reason) {
    case 'length':
      return 'LENGTH';
    case 'eos_token':
      return 'EOS_TOKEN';
    case 'stop_sequence':
      return 'STOP_SEQUENCE';
    case 'stop': {
      const matched = choice.stop_reason ?? choice.matched_stop;
      if (typeof matched === 'string') return 'STOP_SEQUENCE';
      if ((matched === undefined || matched === null) && stop?.some((s) => s.length > 0 && text.endsWith(s))) return 'STOP_SEQUENCE';
      return 'EOS_TOKEN';
    }
    case 'abort':
    case 'error':
      throw new UpstreamError({ kind: 'in-band', errorType: 'generation', message: `generation ended with finish_reason "${reason}"` });
    default:
      return 'EOS_TOKEN';
  }
}

/** How much of the text's end the stop-sequence rule needs to see. */
export const stopTail = (stop: readonly string[] | undefined): number => (stop ? Math.max(0, ...stop.map((s) => s.length)) : 0);
