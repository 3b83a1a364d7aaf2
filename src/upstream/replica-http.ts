// The HTTP side of one replica that every protocol's client shares: the
// keep-alive pool, the base path, the upstream key on every request (and
// blotted out of whatever the server says back), bodies written with exact
// u64 seeds, network errors classified, streams that must answer 200 with
// an event stream, failures passed on in the protocol's words, the pool's
// numbers and its closing. A protocol's client
// holds one and speaks its own routes and bodies over it.
import type { Dispatcher, Pool } from 'undici';
import { publicReason, UpstreamError } from './errors.ts';
import { BodyEvents, type BodyDecoder, type Emit } from './body-events.ts';
import { classify, discard, isEventStream, MAX_SMALL_BODY, readBody, replicaPool, wireJson } from './http.ts';
import { Redaction } from './redact.ts';
import type { CallOptions, HealthProbe, PoolStats, ServerLoad } from './types.ts';

/** Statuses of a server that has no metrics page for the gateway: the same answer comes until it is restarted otherwise. */
const NO_METRICS_PAGE: ReadonlySet<number> = new Set([401, 403, 404, 405, 501]);

/** A server's whole metrics page: vLLM's histograms make it a few hundred KiB. */
const MAX_METRICS_BODY = 4 << 20;

export type Response = Dispatcher.ResponseData;

export interface ReplicaHttpOptions {
  connectTimeoutMs: number;
  /** Most sockets to this replica: one per concurrent generation (servers multiplex nothing over HTTP/1.1). */
  connections: number;
  /** Sent as `Authorization: Bearer <apiKey>` on every request; never logged, never shown. */
  apiKey?: string | undefined;
  /** EXPOSE_ENDPOINTS=false: the replica's address is blotted out of what its server says too. */
  hideAddress?: boolean | undefined;
  /** The base URL's path, as the protocol places its routes under it. */
  basePath: (pathname: string) => string;
  /** How the protocol rewords what its servers say for the gateway (TGI's validation messages); unset, as said. */
  rewording?: (error: unknown) => unknown;
}

/** How a protocol reads a non-2xx answer: its error body, as a failure. */
export type ErrorReader = (res: Response, body: string) => UpstreamError;

export class ReplicaHttp {
  readonly #pool: Pool;
  readonly #basePath: string;
  readonly #redaction: Redaction;
  readonly #authorization: string | undefined;
  readonly #rewording: (error: unknown) => unknown;

  constructor(baseUrl: string, options: ReplicaHttpOptions) {
    const url = new URL(baseUrl);
    this.#basePath = options.basePath(url.pathname);
    const apiKey = options.apiKey || undefined;
    this.#authorization = apiKey === undefined ? undefined : `Bearer ${apiKey}`;
    this.#redaction = new Redaction({ apiKey, address: options.hideAddress ? url : undefined });
    this.#pool = replicaPool(url.origin, options);
    this.#rewording = options.rewording ?? ((error) => error);
  }

  /** One request; `headers` are the caller's correlation headers (an `authorization` among them is dropped). */
  async request(method: 'GET' | 'POST', path: string, body: object | undefined, options: CallOptions, accept?: string): Promise<Response> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      if (name.toLowerCase() !== 'authorization') headers[name] = value;
    }
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (accept !== undefined) headers.accept = accept;
    if (this.#authorization !== undefined) headers.authorization = this.#authorization;
    try {
      return await this.#pool.request({
        method,
        path: this.#basePath + path,
        signal: options.signal,
        headers,
        body: body === undefined ? undefined : wireJson(body),
      });
    } catch (error) {
      throw classify(error, options.signal, 'reset');
    }
  }

  /**
   * The server's `/metrics` page read by `parse` (the protocol's names);
   * undefined when it has none to give: no such page (404, 405, llama.cpp's
   * 501 without --metrics), one the key may not read (401, 403), or no known
   * gauge. Any other status (a loading or overloaded server's 503) is a failed
   * read, tried again at the next interval.
   */
  async serverLoad(signal: AbortSignal, parse: (text: string) => ServerLoad | undefined): Promise<ServerLoad | undefined> {
    const res = await this.request('GET', '/metrics', undefined, { signal }, 'text/plain');
    if (res.statusCode === 200) return parse(await readBody(res.body, signal, MAX_METRICS_BODY));
    // Read to its end (a few bytes), so that the connection goes back to the pool.
    await readBody(res.body, signal).catch(() => undefined);
    if (NO_METRICS_PAGE.has(res.statusCode)) return undefined;
    throw new UpstreamError({ kind: 'protocol', detail: `/metrics answered ${res.statusCode}` });
  }

  /** A POST that must answer 200 with an event stream; resolves once it has. */
  async openStream(path: string, body: object, options: CallOptions, errorOf: ErrorReader): Promise<Response> {
    const res = await this.request('POST', path, body, options, 'text/event-stream');
    if (res.statusCode !== 200) throw this.passOn(errorOf(res, await readBody(res.body, options.signal, MAX_SMALL_BODY)));
    if (!isEventStream(res.headers)) {
      discard(res.body);
      throw new UpstreamError({ kind: 'protocol', detail: `stream answered with content-type ${String(res.headers['content-type'])}` });
    }
    return res;
  }

  /** The decoded events of a streamed answer (see body-events.ts): failures passed on, the body destroyed should the consumer stop early. */
  events<T>(res: Response, signal: AbortSignal, decoder: (emit: Emit<T>) => BodyDecoder): AsyncGenerator<T, void, undefined> {
    return new BodyEvents(res.body, decoder, signal, (error) => this.passOn(error));
  }

  /** A failure as the gateway passes it on: cleaned of the key (and hidden address) should the server echo them, in the protocol's words. */
  passOn(error: unknown): unknown {
    return this.#rewording(this.#redaction.error(error));
  }

  /** Whether a name the server reports (its model's) shows nothing of the key or a hidden address. */
  mayShow(text: string): boolean {
    return this.#redaction.mayShow(text);
  }

  /** Connections and requests of the pool, for leak checks and metrics (`busy`: sockets not idle). */
  stats(): PoolStats {
    const { connected, free, running, pending } = this.#pool.stats;
    return { connected, busy: connected - free, running, pending };
  }

  /** Destroys every connection at once (requests still running are aborted). */
  async close(): Promise<void> {
    await this.#pool.destroy();
  }
}

/**
 * A health probe, timed: `check` resolves with the answer's error, or null
 * when the server is healthy. A failure to get an answer is told in words a
 * client may read (ModelHealth.error): a failure's log detail carries codes.
 */
export async function timedProbe(check: () => Promise<string | null>): Promise<HealthProbe> {
  const started = performance.now();
  try {
    const error = await check();
    const latencyMs = performance.now() - started;
    return error === null ? { healthy: true, latencyMs } : { healthy: false, latencyMs, error };
  } catch (error) {
    const reason = error instanceof UpstreamError ? publicReason(error.failure) : (error as Error).message;
    if (error instanceof DOMException && error.name === 'TimeoutError') return { healthy: false, latencyMs: null, error: reason, timedOut: true };
    return { healthy: false, latencyMs: null, error: reason };
  }
}
