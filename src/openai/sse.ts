// Bytes of an OpenAI-compatible event stream → its `data:` payloads. Chunk
// boundaries fall anywhere (inside a line, inside a UTF-8 character); lines
// may end in CRLF; `:` comments are keep-alives. `data: [DONE]` closes the
// stream: it is handed on as `DONE`, and when asked for more the reader reads
// the (normally empty) rest of the body, so that the keep-alive connection
// goes back to the pool instead of being destroyed.
import { createParser } from 'eventsource-parser';
import { UpstreamError } from '../upstream/errors.ts';

/** A chunk is one JSON object of a few hundred bytes; anything far larger is not a model server. */
const MAX_EVENT_CHARS = 1 << 20;
/** What may still arrive after `[DONE]` before the body ends. */
const MAX_TRAILING_BYTES = 1 << 16;

export const DONE = null;

/** A stream that stopped before the generation was whole. */
export const endedEarly = (detail: string): UpstreamError => new UpstreamError({ kind: 'broken', detail });

/** Each event's data as soon as the event is complete, `DONE` for `[DONE]`; nothing after it. */
export async function* eventData(body: AsyncIterable<Uint8Array>): AsyncGenerator<string | typeof DONE, void, undefined> {
  const pending: string[] = [];
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
    },
  });
  const utf8 = new TextDecoder('utf-8');
  let trailing = -1; // bytes seen after [DONE]; -1 while it has not come

  for await (const chunk of body) {
    if (trailing >= 0) {
      trailing += chunk.byteLength;
      if (trailing > MAX_TRAILING_BYTES) return;
      continue;
    }
    parser.feed(utf8.decode(chunk, { stream: true }));
    if (overflow) throw new UpstreamError({ kind: 'protocol', detail: 'stream event too large' });
    for (let i = 0; i < pending.length; i++) {
      const data = pending[i]!;
      if (data.trim() === '[DONE]') {
        trailing = 0;
        yield DONE;
        break;
      }
      if (data.length > 0) yield data;
    }
    pending.length = 0;
  }
  // As in EventSource, an event without its closing blank line was never sent whole: it is dropped.
}
