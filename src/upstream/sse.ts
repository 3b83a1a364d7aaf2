// Bytes of a server's event stream → its events, for every protocol. Chunk
// boundaries fall anywhere (inside a line, inside a UTF-8 character); lines
// may end in CRLF; `:` comments are keep-alives. Each protocol's reader says
// what an event's data means and which event closes its stream (TGI: the
// token that carries `generated_text`; OpenAI-shaped servers: `data: [DONE]`).
// After that event the rest of the body (normally empty) is read and
// ignored, so that the keep-alive connection goes back to the pool instead
// of being destroyed. Synchronous: body-events.ts feeds it the body's chunks.
import { createParser, type EventSourceParser } from 'eventsource-parser';
import type { BodyDecoder } from './body-events.ts';
import { UpstreamError } from './errors.ts';

/** An event is one JSON object of a few hundred bytes; anything far larger is not a model server. */
const MAX_EVENT_CHARS = 1 << 20;
/** What may still arrive after the closing event before the body ends (normally nothing). */
const MAX_TRAILING_BYTES = 1 << 16;

/** What a protocol makes of its stream's events; it hands its values on itself. Its throw ends the stream with that failure. */
export interface EventReader {
  /** An event's data; returns whether this event closes the stream. */
  data(data: string): boolean;
  /**
   * A line of a field SSE does not know (llama.cpp before September 2025 sent
   * a stream's error as `error: {...}`); returns whether it closes the stream.
   * Unset, such lines are ignored, as EventSource ignores them.
   */
  field?(name: string, value: string): boolean;
  /** The body ended before the closing event: what is still owed, or a throw when the stream was cut off. */
  end(): void;
  /** See BodyDecoder.fail. */
  fail?(error: unknown): void;
}

/** A line of an unknown field, kept in its place among the events. */
interface UnknownField {
  readonly name: string;
  readonly value: string;
}

export class SseDecoder implements BodyDecoder {
  readonly #reader: EventReader;
  readonly #parser: EventSourceParser;
  readonly #utf8 = new TextDecoder('utf-8');
  /** The events of the chunk being read: the parser's callbacks only collect, so a reader's throw never leaves the parser midway. */
  readonly #pending: (string | UnknownField)[] = [];
  #overflow = false;
  /** Bytes seen after the closing event; -1 while it has not come. */
  #trailing = -1;

  constructor(reader: EventReader) {
    this.#reader = reader;
    const pending = this.#pending;
    this.#parser = createParser({
      maxBufferSize: MAX_EVENT_CHARS,
      // The parser bounds only a line still incomplete between chunks; a whole event is checked here.
      onEvent: (event) => {
        if (event.data.length > MAX_EVENT_CHARS) this.#overflow = true;
        else pending.push(event.data);
      },
      onError: (error) => {
        if (error.type === 'max-buffer-size-exceeded') this.#overflow = true;
        else if (error.type === 'unknown-field' && reader.field && error.field !== undefined) {
          if ((error.value ?? '').length > MAX_EVENT_CHARS) this.#overflow = true;
          else pending.push({ name: error.field, value: error.value ?? '' });
        }
      },
    });
  }

  feed(chunk: Uint8Array): boolean {
    if (this.#trailing >= 0) {
      this.#trailing += chunk.byteLength;
      return this.#trailing <= MAX_TRAILING_BYTES;
    }
    this.#parser.feed(this.#utf8.decode(chunk, { stream: true }));
    const pending = this.#pending;
    const reader = this.#reader;
    try {
      if (this.#overflow) throw new UpstreamError({ kind: 'protocol', detail: 'stream event too large' });
      // Index loop and in-place reset: no allocation per chunk on the token path.
      for (let i = 0; i < pending.length; i++) {
        const item = pending[i]!;
        if (typeof item === 'string' ? reader.data(item) : reader.field!(item.name, item.value)) {
          this.#trailing = 0;
          break;
        }
      }
    } finally {
      pending.length = 0;
    }
    return true;
  }

  // As in EventSource, an event without its closing blank line was never sent whole: it is dropped.
  end(): void {
    if (this.#trailing < 0) this.#reader.end();
  }

  fail(error: unknown): void {
    this.#reader.fail?.(error);
  }
}
