// A generation's stream as OpenAI's SSE: `data: <chunk>` events, a usage
// chunk when asked, then `data: [DONE]`. The status is decided by the first
// event: until it came, a failure (refused, overloaded, no replica) is an
// ordinary answer with its status, which every OpenAI client raises as its
// own error class; after it, a failure is one `data: {"error": …}` event and
// the stream ends without `[DONE]`. The next event is read only once the
// socket took the last one, so a client that stops reading holds the model
// server back through TCP; a client that leaves fires the operation's signal,
// which ends the generation upstream.
import type { ServerResponse } from 'node:http';
import type { GenerationStream } from '../../generation/service.ts';
import type { TokenUsage } from '../../upstream/types.ts';
import { drained } from '../common/drained.ts';
import { toOpenAIError } from './errors.ts';

/** How one kind of stream turns its events into chunks. */
export interface ChunkShape<E> {
  /** Sent before the first event's chunks (the chat role; an echoed prompt). */
  readonly opening: readonly object[];
  /** The SSE text of one event's chunks (see frame()); '' for an event that says nothing to the client. */
  frames(event: E): string;
  /** The server's counts, on the event that has them. */
  usage(event: E): TokenUsage | null | undefined;
  /** The usage chunk, sent when the client asked for it and the server reported counts. */
  usageChunk(usage: TokenUsage): object;
}

const HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' } as const;
const DONE = 'data: [DONE]\n\n';

/**
 * Waits for the first event, then streams. Throws (nothing sent yet) when the
 * generation failed before its first event; afterwards, failures are events.
 */
export async function sendChunkStream<E>(res: ServerResponse, events: GenerationStream<E>, shape: ChunkShape<E>, includeUsage: boolean, signal: AbortSignal): Promise<void> {
  const first = await events.next();
  res.writeHead(200, HEADERS);
  let usage: TokenUsage | null | undefined;
  let text = '';
  for (const chunk of shape.opening) text += frame(chunk);
  try {
    let read = first;
    while (!read.done) {
      // The client left while this event was on its way: nothing is written to a closed response.
      if (signal.aborted) return;
      usage = shape.usage(read.value) ?? usage;
      text += shape.frames(read.value);
      if (text !== '' && !res.write(text)) await drained(res, signal);
      text = '';
      if (signal.aborted) return;
      read = await events.next();
    }
    if (includeUsage && usage) text += frame(shape.usageChunk(usage));
    res.end(text + DONE);
  } catch (error) {
    // Nobody to tell when the client itself left (its signal ended the generation).
    if (signal.aborted || res.destroyed) return;
    res.end(text + frame(toOpenAIError(error).body));
  } finally {
    if (signal.aborted) events.cancel(signal.reason);
  }
}

/** One chunk as an SSE event; `json` when its JSON text is written already. */
export const frame = (chunk: object) => frameJson(JSON.stringify(chunk));
export const frameJson = (json: string) => `data: ${json}\n\n`;
