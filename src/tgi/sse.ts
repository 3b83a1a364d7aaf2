// Bytes of a `/generate_stream` body → typed tokens. Chunk boundaries fall
// anywhere (inside a line, inside a UTF-8 character); lines may end in CRLF;
// `:` comments are TGI's keep-alives. The stream is over only at the event
// that carries `generated_text`: a body that ends before it was cut off.
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { UpstreamError } from '../upstream/errors.ts';
import { parseStreamData } from './parse.ts';
import type { StreamToken } from '../upstream/types.ts';

/** A TGI event is one JSON line of a few hundred bytes; anything far larger is not TGI. */
const MAX_EVENT_CHARS = 1 << 20;
/** What may still arrive after the final event before the body ends (normally nothing). */
const MAX_TRAILING_BYTES = 1 << 16;

/**
 * Yields each token as soon as its event is complete. After the final token it
 * reads the body to its end when asked for more, so that the keep-alive
 * connection goes back to the pool instead of being destroyed.
 */
export async function* decodeTokenStream(body: AsyncIterable<Uint8Array>): AsyncGenerator<StreamToken, void, undefined> {
  const pending: EventSourceMessage[] = [];
  let overflow = false;
  const parser = createParser({
    maxBufferSize: MAX_EVENT_CHARS,
    // The parser bounds only a line still incomplete between chunks; a whole event is checked here.
    onEvent: (event) => {
      if (event.data.length > MAX_EVENT_CHARS) overflow = true;
      else pending.push(event);
    },
    onError: (error) => {
      if (error.type === 'max-buffer-size-exceeded') overflow = true;
    },
  });
  const utf8 = new TextDecoder('utf-8');
  let trailing = -1; // bytes seen after the final event; -1 while it has not come

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
      const token = parseStreamData(pending[i]!.data);
      yield token;
      if (token.generatedText !== null) {
        trailing = 0;
        break;
      }
    }
    pending.length = 0;
  }
  // As in EventSource, an event without its closing blank line was never sent whole.
  if (trailing < 0) throw new UpstreamError({ kind: 'broken', detail: 'stream ended before its final event' });
}
