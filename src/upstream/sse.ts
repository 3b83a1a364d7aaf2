// Bytes of a server's event stream → its events, for every protocol. Chunk
// boundaries fall anywhere (inside a line, inside a UTF-8 character); lines
// may end in CRLF; `:` comments are keep-alives. Each protocol says how an
// event's data reads and which event closes its stream (TGI: the token that
// carries `generated_text`; OpenAI-shaped servers: `data: [DONE]`). After that
// event, when asked for more, the reader reads the (normally empty) rest of
// the body, so that the keep-alive connection goes back to the pool instead
// of being destroyed.
import { createParser } from 'eventsource-parser';
import { UpstreamError } from './errors.ts';

/** An event is one JSON object of a few hundred bytes; anything far larger is not a model server. */
const MAX_EVENT_CHARS = 1 << 20;
/** What may still arrive after the closing event before the body ends (normally nothing). */
const MAX_TRAILING_BYTES = 1 << 16;

export interface EventReader<T> {
  /** An event's data as a value; undefined skips the event. A parser's failure ends the stream with it. */
  read(data: string): T | undefined;
  /**
   * A line of a field SSE does not know (llama.cpp before September 2025 sent
   * a stream's error as `error: {...}`), as a value; unset, such lines are
   * ignored, as EventSource ignores them.
   */
  field?(name: string, value: string): T | undefined;
  /** Whether this value closes the stream. */
  isLast(value: T): boolean;
  /** What a body that ends before its closing event means; unset, it simply ends. */
  cutOff?: () => UpstreamError;
}

/** Each event's value as soon as the event is complete, up to the closing one. */
/** A line of an unknown field, kept in its place among the events. */
interface UnknownField {
  readonly name: string;
  readonly value: string;
}

export async function* readEvents<T>(body: AsyncIterable<Uint8Array>, reader: EventReader<T>): AsyncGenerator<T, void, undefined> {
  const pending: (string | UnknownField)[] = [];
  let overflow = false;
  const parser = createParser({
    maxBufferSize: MAX_EVENT_CHARS,
    // The parser bounds only a line still incomplete between chunks; a whole event is checked here.
    onEvent: (event) => {
      if (event.data.length > MAX_EVENT_CHARS) overflow = true;
      else pending.push(event.data);
    },
    onError: (error) => {
      if (error.type === 'max-buffer-size-exceeded') overflow = true;
      else if (error.type === 'unknown-field' && reader.field && error.field !== undefined) {
        if ((error.value ?? '').length > MAX_EVENT_CHARS) overflow = true;
        else pending.push({ name: error.field, value: error.value ?? '' });
      }
    },
  });
  const utf8 = new TextDecoder('utf-8');
  let trailing = -1; // bytes seen after the closing event; -1 while it has not come

  for await (const chunk of body) {
    if (trailing >= 0) {
      trailing += chunk.byteLength;
      if (trailing > MAX_TRAILING_BYTES) return;
      continue;
    }
    parser.feed(utf8.decode(chunk, { stream: true }));
    if (overflow) throw new UpstreamError({ kind: 'protocol', detail: 'stream event too large' });
    // Index loop and in-place reset: no allocation per chunk on the token path.
    for (let i = 0; i < pending.length; i++) {
      const item = pending[i]!;
      const value = typeof item === 'string' ? reader.read(item) : reader.field!(item.name, item.value);
      if (value === undefined) continue;
      yield value;
      if (reader.isLast(value)) {
        trailing = 0;
        break;
      }
    }
    pending.length = 0;
  }
  // As in EventSource, an event without its closing blank line was never sent whole: it is dropped.
  if (trailing < 0 && reader.cutOff) throw reader.cutOff();
}
