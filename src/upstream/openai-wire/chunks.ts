// The shape every OpenAI-compatible stream shares, chat or completions:
// chunks with one choice each, up to the chunk that carries `finish_reason`;
// then, when `stream_options.include_usage` was asked, a chunk with
// `choices: []` and `usage`; then `data: [DONE]`. This reads that shape once
// for both decoders: each choice up to the finish, then one `end` with the
// usage (from the finish chunk itself, the usage chunk, or none when `[DONE]`
// or the end of the body comes first). An `{"error": …}` event anywhere is
// thrown as an in-band failure, and so is an `error: {...}` line (llama.cpp
// before September 2025); a stream that ends before any finish was cut.
// After `end`, the rest of the body is read (and ignored) when asked for more,
// so that the keep-alive connection goes back to the pool.
import type { TokenUsage } from '../types.ts';
import { inBandError, type RequestTiedMessages } from './errors.ts';
import { finishOf } from './finish.ts';
import { parseJsonObject, type Json } from '../json.ts';
import { firstChoice, parseUsage } from './shape.ts';
import { UpstreamError } from '../errors.ts';
import { readEvents, type EventReader } from '../sse.ts';

/** `data: [DONE]`, which closes the stream. */
const DONE = null;

/** The value of an `error:` line. */
interface ErrorLine {
  readonly error: string;
}

/** Each event's data, `DONE` for `[DONE]`; empty events are skipped; an `error:` line as such. */
const DATA_EVENTS: EventReader<string | typeof DONE | ErrorLine> = {
  read: (data) => (data.trim() === '[DONE]' ? DONE : data.length > 0 ? data : undefined),
  field: (name, value) => (name === 'error' ? { error: value } : undefined),
  isLast: (data) => data === DONE,
};

/** An `error:` line's JSON (`{"code","message","type"}`) as the in-band failure it reports. */
function errorLine(line: ErrorLine, requestTied: RequestTiedMessages): UpstreamError {
  let error: unknown = line.error;
  try {
    error = JSON.parse(line.error);
  } catch {
    // Plain text: its words are the message.
  }
  return inBandError({ error: error === null || error === '' ? 'error event' : error }, requestTied)!;
}

/** A stream that stopped before the generation was whole. */
const endedEarly = (detail: string): UpstreamError => new UpstreamError({ kind: 'broken', detail });

export type StreamChunk =
  /** A choice before the finish; `finish` is the finish reason on the last one, else null. */
  | { kind: 'choice'; choice: Json; finish: string | null }
  /** After the finish: the usage the server reported for the whole stream, if any. */
  | { kind: 'end'; usage: TokenUsage | null };

export interface ChunkOptions {
  /** The dialect's messages of failures the request caused (see errors.ts). */
  requestTied?: RequestTiedMessages;
  /**
   * Asked when the stream closes before any finish reason: whether that end is
   * whole (TGI streams no finish reason after a tool call); else it was cut.
   */
  endsWithoutFinish?: () => boolean;
}

export async function* streamChunks(body: AsyncIterable<Uint8Array>, options: ChunkOptions = {}): AsyncGenerator<StreamChunk, void, undefined> {
  let finished = false;
  let ended = false;
  const end = (usage: TokenUsage | null): StreamChunk => {
    ended = true;
    return { kind: 'end', usage };
  };
  for await (const data of readEvents(body, DATA_EVENTS)) {
    if (data !== DONE && typeof data !== 'string') throw errorLine(data, options.requestTied ?? []);
    if (data === DONE) {
      if (!finished && options.endsWithoutFinish?.()) finished = true;
      if (!finished) throw endedEarly('stream ended without a finish reason');
      if (!ended) yield end(null);
      continue; // on to the end of the body
    }
    const chunk = parseJsonObject(data, 'stream event');
    const error = inBandError(chunk, options.requestTied);
    if (error) throw error;
    if (ended) continue;
    const usage = parseUsage(chunk.usage);
    if (finished) {
      // Only the usage chunk is expected now (usage sent before the finish, as continuous usage stats, is not the total).
      if (usage) yield end(usage);
      continue;
    }
    const choice = firstChoice(chunk, 'stream event');
    if (!choice) {
      // A usage chunk with no finish before it: the end of a stream that states none (TGI after a call).
      if (usage && options.endsWithoutFinish?.()) {
        finished = true;
        yield end(usage);
      }
      continue;
    }
    const finish = finishOf(choice);
    yield { kind: 'choice', choice, finish };
    if (finish === null) continue;
    finished = true;
    // A server that puts usage on the finish chunk sends no separate one.
    if (usage) yield end(usage);
  }
  if (!finished && options.endsWithoutFinish?.()) finished = true;
  if (!finished) throw endedEarly('stream ended before its final event');
  // Ended cleanly after its finish without `[DONE]` (some servers): the answer is whole.
  if (!ended) yield end(null);
}
