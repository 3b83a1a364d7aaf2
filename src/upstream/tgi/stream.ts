// A `/generate_stream` body → typed tokens. The stream is over only at the
// event that carries `generated_text`: a body that ends before it was cut off.
import { decodeIterable, type BodyDecoder, type Emit } from '../body-events.ts';
import { UpstreamError } from '../errors.ts';
import { SseDecoder } from '../sse.ts';
import type { StreamToken } from '../types.ts';
import { parseStreamData } from './parse.ts';

/** The decoder of TGI's token stream: each token handed to `emit` as soon as its event is complete (see ../sse.ts for the body's end). */
export function tokenEvents(emit: Emit<StreamToken>): BodyDecoder {
  return new SseDecoder({
    data: (data) => {
      const token = parseStreamData(data);
      emit(token);
      return token.generatedText !== null;
    },
    end: () => {
      throw new UpstreamError({ kind: 'broken', detail: 'stream ended before its final event' });
    },
  });
}

/** The same over a body given as chunks. */
export function decodeTokenStream(body: AsyncIterable<Uint8Array>): AsyncGenerator<StreamToken, void, undefined> {
  return decodeIterable(body, tokenEvents);
}
