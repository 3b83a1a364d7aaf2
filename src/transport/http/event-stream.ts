// A subscription's stream as GraphQL over SSE on Node's response, as yoga's
// SSE processor writes it (a comment first, a comment every 12 s, one `next`
// event per result, then `complete`) but without its Fetch Response, stream
// and encoder per event. The next result is asked for only once the socket
// took the last one, so a client that stops reading holds the model server
// back through TCP; a client that leaves ends the stream (its operation signal
// fired already, which ends the generation).
import type { ServerResponse } from 'node:http';
import type { ExecutionResult } from 'graphql';
import type { FetchAPI } from 'graphql-yoga';
import { drained } from '../common/drained.ts';
import { yogaJson } from './yoga-answers.ts';

/** yoga's comment line: some browsers show nothing of a response before its first bytes. */
const PING = ':\n\n';
const PING_MS = 12_000;
const COMPLETE = 'event: complete\ndata:\n\n';

/** yoga's headers for a stream, whose status is always 200 (errors travel in its events). */
const HEADERS = { 'content-type': 'text/event-stream', connection: 'keep-alive', 'cache-control': 'no-cache', 'content-encoding': 'none' } as const;

export async function sendEventStream(res: ServerResponse, events: AsyncIterable<ExecutionResult>, signal: AbortSignal, fetchAPI: FetchAPI): Promise<void> {
  res.writeHead(200, HEADERS);
  res.write(PING);
  const iterator = events[Symbol.asyncIterator]();
  const ping = setInterval(() => {
    if (!res.writableNeedDrain && !res.writableEnded) res.write(PING);
  }, PING_MS);
  try {
    for (;;) {
      if (signal.aborted) return;
      const read = await iterator.next();
      if (read.done) break;
      if (signal.aborted) return;
      const json = yogaJson(read.value, fetchAPI);
      if (!res.write(`event: next\ndata: ${typeof json === 'string' ? json : await json}\n\n`)) await drained(res, signal);
    }
    if (!signal.aborted) res.end(COMPLETE);
  } catch {
    // The stream broke in a way the relay did not turn into a payload: as yoga, the response is cut.
    res.destroy();
  } finally {
    clearInterval(ping);
    if (signal.aborted) await iterator.return?.();
  }
}
