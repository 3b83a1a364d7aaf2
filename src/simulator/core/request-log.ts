// A short memory of the last requests (route, headers, JSON body), so a gateway test can
// check what reached the upstream: the `model` it named, `stream_options`, the bearer key.
// Bounded, so a soak run through the simulator does not grow it without end.

import type { IncomingMessage } from 'node:http';
import type { RecordedRequest } from './types.ts';

const REQUEST_LOG_SIZE = 64;

export class RequestLog {
  #entries: RecordedRequest[] = [];
  /** The entry of a request still being handled, so its body can be attached once read. */
  #byRequest = new WeakMap<IncomingMessage, RecordedRequest>();

  record(req: IncomingMessage, route: string): void {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const entry: RecordedRequest = { route, headers, authorization: headers['authorization'] ?? null, body: null };
    this.#entries.push(entry);
    if (this.#entries.length > REQUEST_LOG_SIZE) this.#entries.shift();
    this.#byRequest.set(req, entry);
  }

  /** Called by the routes that read a body; text that is not JSON leaves `body` null. */
  attachBody(req: IncomingMessage, text: string): void {
    const entry = this.#byRequest.get(req);
    if (entry === undefined || text.trim() === '') return;
    try {
      entry.body = JSON.parse(text) as unknown;
    } catch {
      entry.body = null;
    }
  }

  list(): RecordedRequest[] {
    return this.#entries.map(copy);
  }

  last(route?: string): RecordedRequest | undefined {
    const entry = this.#entries.findLast((candidate) => route === undefined || candidate.route === route);
    return entry === undefined ? undefined : copy(entry);
  }

  clear(): void {
    this.#entries = [];
  }
}

/** Callers get copies: a test mutating one must not change what the next sees. */
function copy(entry: RecordedRequest): RecordedRequest {
  return { ...entry, headers: { ...entry.headers }, body: structuredClone(entry.body) };
}
