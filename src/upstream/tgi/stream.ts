// A `/generate_stream` body → typed tokens. The stream is over only at the
// event that carries `generated_text`: a body that ends before it was cut off.
import { UpstreamError } from '../errors.ts';
import { readEvents, type EventReader } from '../sse.ts';
import type { StreamToken } from '../types.ts';
import { parseStreamData } from './parse.ts';

const TOKEN_EVENTS: EventReader<StreamToken> = {
  read: parseStreamData,
  isLast: (token) => token.generatedText !== null,
  cutOff: () => new UpstreamError({ kind: 'broken', detail: 'stream ended before its final event' }),
};

/** Yields each token as soon as its event is complete (see ../sse.ts for the body's end). */
export function decodeTokenStream(body: AsyncIterable<Uint8Array>): AsyncGenerator<StreamToken, void, undefined> {
  return readEvents(body, TOKEN_EVENTS);
}
