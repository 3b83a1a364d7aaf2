// Bodies for the stream decoders: byte chunks cut anywhere, SSE framing as
// vLLM writes it, and a reader of everything a decoder yields.
import { UpstreamError, type UpstreamFailure } from '../../../../src/upstream/errors.ts';

const encoder = new TextEncoder();
export const bytes = (text: string): Uint8Array => encoder.encode(text);

export async function* body(...chunks: (Uint8Array | string)[]): AsyncGenerator<Uint8Array, void, undefined> {
  for (const chunk of chunks) yield typeof chunk === 'string' ? bytes(chunk) : chunk;
}

/** The data cut into chunks of `size` bytes, boundaries falling wherever they fall (inside UTF-8 characters too). */
export function chunked(data: Uint8Array, size: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < data.byteLength; at += size) chunks.push(data.subarray(at, at + size));
  return chunks;
}

/** `data: <json>\n\n` for each event; strings are sent as they are (`[DONE]`, comments given whole). */
export function sse(events: readonly (object | string)[], eol = '\n'): string {
  return events
    .map((e) => (typeof e === 'string' && e.startsWith(':') ? `${e}${eol}${eol}` : `data: ${typeof e === 'string' ? e : JSON.stringify(e)}${eol}${eol}`))
    .join('');
}

export interface Outcome<T> {
  events: T[];
  failure: UpstreamFailure | undefined;
}

/** Every event a decoder yields, and the upstream failure it ends with, if any. */
export async function drain<T>(stream: AsyncIterable<T>): Promise<Outcome<T>> {
  const events: T[] = [];
  try {
    for await (const event of stream) events.push(event);
  } catch (error) {
    if (!(error instanceof UpstreamError)) throw error;
    return { events, failure: error.failure };
  }
  return { events, failure: undefined };
}
