// The shape every OpenAI-compatible stream shares, chat or completions:
// chunks with one choice each, up to the chunk that carries `finish_reason`;
// then, when `stream_options.include_usage` was asked, a chunk with
// `choices: []` and `usage`; then `data: [DONE]`. This reads that shape once
// for both decoders: each choice up to the finish, then one `end` with the
// usage (from the finish chunk itself, the usage chunk, or none when `[DONE]`
// or the end of the body comes first). An `{"error": …}` event anywhere is
// thrown as an in-band failure, and so is an `error: {...}` line (llama.cpp
// before September 2025); a stream that ends before any finish was cut.
// After `[DONE]`, the rest of the body is read and ignored (../sse.ts), so
// that the keep-alive connection goes back to the pool.
import type { TokenUsage } from '../types.ts';
import type { BodyDecoder } from '../body-events.ts';
import { inBandError, type RequestTiedMessages } from './errors.ts';
import { finishOf } from './finish.ts';
import { parseJsonObject, type Json } from '../json.ts';
import { firstChoice, parseUsage } from './shape.ts';
import { UpstreamError } from '../errors.ts';
import { SseDecoder, type EventReader } from '../sse.ts';

/** What a decoder does with the chunks, in their order. */
export interface ChunkHandler {
  /** A choice before the finish; `finish` is the finish reason on the last one, else null. */
  choice(choice: Json, finish: string | null): void;
  /** After the finish: the usage the server reported for the whole stream, if any. */
  end(usage: TokenUsage | null): void;
  /**
   * Asked when the stream closes before any finish reason: whether that end is
   * whole (TGI streams no finish reason after a tool call); unset, it was cut.
   */
  endsWithoutFinish?(): boolean;
  /** See BodyDecoder.fail. */
  fail?(error: unknown): void;
}

/** An `error:` line's JSON (`{"code","message","type"}`) as the in-band failure it reports. */
function errorLine(line: string, requestTied: RequestTiedMessages): UpstreamError {
  let error: unknown = line;
  try {
    error = JSON.parse(line);
  } catch {
    // Plain text: its words are the message.
  }
  return inBandError({ error: error === null || error === '' ? 'error event' : error }, requestTied)!;
}

/** A stream that stopped before the generation was whole. */
const endedEarly = (detail: string): UpstreamError => new UpstreamError({ kind: 'broken', detail });

class StreamChunks implements EventReader {
  readonly #handler: ChunkHandler;
  readonly #requestTied: RequestTiedMessages | undefined;
  #finished = false;
  #ended = false;

  constructor(handler: ChunkHandler, requestTied: RequestTiedMessages | undefined) {
    this.#handler = handler;
    this.#requestTied = requestTied;
  }

  data(data: string): boolean {
    if (data.trim() === '[DONE]') {
      this.#close('stream ended without a finish reason');
      return true; // on to the end of the body
    }
    if (data.length === 0) return false;
    const chunk = parseJsonObject(data, 'stream event');
    const error = inBandError(chunk, this.#requestTied);
    if (error) throw error;
    if (this.#ended) return false;
    const usage = parseUsage(chunk.usage);
    if (this.#finished) {
      // Only the usage chunk is expected now (usage sent before the finish, as continuous usage stats, is not the total).
      if (usage) this.#end(usage);
      return false;
    }
    const choice = firstChoice(chunk, 'stream event');
    if (!choice) {
      // A usage chunk with no finish before it: the end of a stream that states none (TGI after a call).
      if (usage && this.#handler.endsWithoutFinish?.()) {
        this.#finished = true;
        this.#end(usage);
      }
      return false;
    }
    const finish = finishOf(choice);
    this.#handler.choice(choice, finish);
    if (finish === null) return false;
    this.#finished = true;
    // A server that puts usage on the finish chunk sends no separate one.
    if (usage) this.#end(usage);
    return false;
  }

  field(name: string, value: string): boolean {
    if (name === 'error') throw errorLine(value, this.#requestTied ?? []);
    return false;
  }

  // Ended cleanly after its finish without `[DONE]` (some servers): the answer is whole.
  end(): void {
    this.#close('stream ended before its final event');
  }

  fail(error: unknown): void {
    this.#handler.fail?.(error);
  }

  /** `[DONE]` or the end of the body: whole once the finish came (or needs none), else cut. */
  #close(cut: string): void {
    if (!this.#finished && this.#handler.endsWithoutFinish?.()) this.#finished = true;
    if (!this.#finished) throw endedEarly(cut);
    if (!this.#ended) this.#end(null);
  }

  #end(usage: TokenUsage | null): void {
    this.#ended = true;
    this.#handler.end(usage);
  }
}

/** A stream's body read as chunks by `handler`. */
export function chunkEvents(handler: ChunkHandler, requestTied?: RequestTiedMessages): BodyDecoder {
  return new SseDecoder(new StreamChunks(handler, requestTied));
}
