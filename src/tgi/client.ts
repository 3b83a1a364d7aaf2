// One TGI replica over a pooled keep-alive undici connection pool. Every call
// takes the request's AbortSignal: aborting it destroys the socket, which is
// how TGI learns to drop the generation from its batch.
import { Pool } from 'undici';
import type { Dispatcher } from 'undici';
import { publicReason, UpstreamError } from './errors.ts';
import { parseErrorResponse, parseGenerateResponse, parseInfo } from './parse.ts';
import { decodeTokenStream } from './sse.ts';
import type { GenerationOutput, HealthProbe, ModelLimits, StreamToken } from './types.ts';
import type { WireGenerateRequest } from './wire.ts';

export interface TgiClientOptions {
  connectTimeoutMs: number;
  /** Most sockets to this replica; TGI multiplexes nothing, so one per concurrent generation. */
  connections?: number;
}

export interface CallOptions {
  signal: AbortSignal;
  headers?: Record<string, string>;
}

export type TokenStream = AsyncGenerator<StreamToken, void, undefined>;

const MAX_SMALL_BODY = 1 << 16;
/** A `/generate` answer with details holds every token: generous, but bounded. */
const MAX_GENERATE_BODY = 64 << 20;
/** Network error codes that mean no connection was made, in words that name no address. */
const CONNECT_FAILURES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'connect timeout',
};

export class TgiClient {
  readonly baseUrl: string;
  readonly #pool: Pool;
  readonly #prefix: string;

  constructor(baseUrl: string, options: TgiClientOptions) {
    const url = new URL(baseUrl);
    this.baseUrl = baseUrl;
    this.#prefix = url.pathname.replace(/\/+$/, '');
    this.#pool = new Pool(url.origin, {
      connections: options.connections ?? 1024,
      connect: { timeout: options.connectTimeoutMs },
      // The generation service owns every timeout (first token, idle, total): undici's stay off.
      headersTimeout: 0,
      bodyTimeout: 0,
      keepAliveTimeout: 30_000,
    });
  }

  async health(signal: AbortSignal): Promise<HealthProbe> {
    const started = performance.now();
    try {
      const res = await this.#call('GET', '/health', undefined, { signal });
      const body = await readBody(res.body, signal);
      const latencyMs = performance.now() - started;
      if (res.statusCode === 200) return { healthy: true, latencyMs };
      return { healthy: false, latencyMs, error: parseErrorResponse(res.statusCode, body, null).message };
    } catch (error) {
      // Shown to clients (ModelHealth.error): a failure's log detail carries codes.
      return { healthy: false, latencyMs: null, error: error instanceof UpstreamError ? publicReason(error.failure) : (error as Error).message };
    }
  }

  async info(signal: AbortSignal): Promise<ModelLimits> {
    const res = await this.#call('GET', '/info', undefined, { signal });
    const body = await readBody(res.body, signal);
    if (res.statusCode !== 200) throw parseErrorResponse(res.statusCode, body, null);
    return parseInfo(body);
  }

  async generate(request: WireGenerateRequest, options: CallOptions): Promise<GenerationOutput> {
    const res = await this.#call('POST', '/generate', request, options);
    const body = await readBody(res.body, options.signal, MAX_GENERATE_BODY);
    if (res.statusCode !== 200) throw errorOf(res, body);
    return parseGenerateResponse(body);
  }

  /** Resolves once TGI has answered 200 with an event stream; tokens (or its in-band error) follow. */
  async generateStream(request: WireGenerateRequest, options: CallOptions): Promise<TokenStream> {
    const res = await this.#call('POST', '/generate_stream', request, options);
    if (res.statusCode !== 200) throw errorOf(res, await readBody(res.body, options.signal, MAX_SMALL_BODY));
    const type = res.headers['content-type'];
    if (typeof type !== 'string' || !type.startsWith('text/event-stream')) {
      res.body.destroy();
      throw new UpstreamError({ kind: 'protocol', detail: `stream answered with content-type ${String(type)}` });
    }
    return relayTokens(res.body, options.signal);
  }

  /** Connections and requests of the pool, for leak checks and metrics (`busy`: sockets not idle). */
  stats(): { connected: number; busy: number; running: number; pending: number } {
    const { connected, free, running, pending } = this.#pool.stats;
    return { connected, busy: connected - free, running, pending };
  }

  /** Destroys every connection at once (requests still running are aborted). */
  async close(): Promise<void> {
    await this.#pool.destroy();
  }

  async #call(method: 'GET' | 'POST', path: string, body: WireGenerateRequest | undefined, options: CallOptions) {
    try {
      return await this.#pool.request({
        method,
        path: this.#prefix + path,
        signal: options.signal,
        headers: body === undefined ? options.headers : { ...options.headers, 'content-type': 'application/json' },
        body: body === undefined ? undefined : wireJson(body),
      });
    } catch (error) {
      throw classify(error, options.signal, 'reset');
    }
  }
}

// Node 24 has JSON.rawJSON (TC39 "JSON.parse source text access"); TypeScript's es2024 lib does not declare it yet.
const { rawJSON } = JSON as JSON & { rawJSON(text: string): unknown };

/** The request body; a bigint (the u64 seed) becomes a bare JSON number with its exact digits. */
function wireJson(request: WireGenerateRequest): string {
  return JSON.stringify(request, (_key, value: unknown) => (typeof value === 'bigint' ? rawJSON(value.toString()) : value));
}

async function* relayTokens(body: Dispatcher.ResponseData['body'], signal: AbortSignal): TokenStream {
  try {
    yield* decodeTokenStream(body);
  } catch (error) {
    throw classify(error, signal, 'broken');
  } finally {
    // Ended early by the consumer: the rest of the generation is unwanted.
    if (!body.readableEnded) body.destroy();
  }
}

function errorOf(res: Dispatcher.ResponseData, body: string): UpstreamError {
  const retryAfter = res.headers['retry-after'];
  return parseErrorResponse(res.statusCode, body, typeof retryAfter === 'string' ? retryAfter : null);
}

/** Abort keeps its own reason; a network error becomes the upstream failure it means. */
function classify(error: unknown, signal: AbortSignal, otherwise: 'reset' | 'broken'): unknown {
  if (signal.aborted) return signal.reason;
  if (error instanceof UpstreamError) return error;
  const code = (error as { code?: string }).code ?? '';
  const connect = CONNECT_FAILURES[code];
  if (connect) {
    return new UpstreamError(code === 'UND_ERR_CONNECT_TIMEOUT' ? { kind: 'connect', detail: connect, timedOut: true } : { kind: 'connect', detail: connect });
  }
  // Messages of network errors carry addresses: only the code travels on (to the log).
  const detail = code || (error as Error).name || 'network error';
  if (code.startsWith('HPE_')) return new UpstreamError({ kind: 'protocol', detail });
  return new UpstreamError(otherwise === 'broken' ? { kind: 'broken', detail, connectionLost: true } : { kind: 'reset', detail });
}

const NEVER = new AbortController().signal;

/** The body as text; past `limit` bytes the connection is dropped and the body is refused. */
async function readBody(body: Dispatcher.ResponseData['body'], signal: AbortSignal = NEVER, limit = MAX_SMALL_BODY): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      size += (chunk as Buffer).byteLength;
      if (size > limit) {
        body.destroy();
        throw new UpstreamError({ kind: 'protocol', detail: `response larger than ${limit} bytes` });
      }
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    throw classify(error, signal, 'broken');
  }
  return Buffer.concat(chunks).toString('utf8');
}
