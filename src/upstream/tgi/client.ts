// One TGI replica over a pooled keep-alive undici connection pool: TGI's
// native routes for raw prompts, its Messages API for chat. Every call takes
// the request's AbortSignal: aborting it destroys the socket, which is how
// TGI learns to drop the generation from its batch.
import type { Pool } from 'undici';
import type {
  CallOptions,
  ChatOutput,
  ChatRequest,
  ChatStream,
  CompletionRequest,
  PoolStats,
  TokenStream,
  UpstreamClient,
} from '../types.ts';
import { classify, discard, isEventStream, replicaPool, MAX_GENERATION_BODY, MAX_SMALL_BODY, readBody, relay, wireJson } from '../http.ts';
import { buildTgiChatRequest, decodeTgiChatStream, parseTgiChatResponse, TGI_CHAT_PATH } from './chat.ts';
import { publicReason, UpstreamError } from '../errors.ts';
import { parseErrorResponse, parseGenerateResponse, parseInfo } from './parse.ts';
import { toGenerateRequest } from './request.ts';
import { redacted } from '../redact.ts';
import { decodeTokenStream } from './stream.ts';
import type { GenerationOutput, HealthProbe, ModelLimits } from '../types.ts';

export interface TgiClientOptions {
  connectTimeoutMs: number;
  /** Most sockets to this replica; TGI multiplexes nothing, so one per concurrent generation. */
  connections?: number;
  /** Sent as a bearer (TGI's `--api-key`); never logged. */
  apiKey?: string | undefined;
  /** The `model` of chat requests; TGI serves one model and ignores it ("tgi" by default). */
  upstreamModel?: string | undefined;
}

type Response = Awaited<ReturnType<Pool['request']>>;

export class TgiClient implements UpstreamClient {
  readonly protocol = 'tgi';
  readonly baseUrl: string;
  readonly #pool: Pool;
  readonly #prefix: string;
  readonly #authorization: string | undefined;
  readonly #apiKey: string | undefined;
  readonly #chatModel: string | undefined;

  constructor(baseUrl: string, options: TgiClientOptions) {
    const url = new URL(baseUrl);
    this.baseUrl = baseUrl;
    this.#prefix = url.pathname.replace(/\/+$/, '');
    this.#apiKey = options.apiKey || undefined;
    this.#authorization = this.#apiKey ? `Bearer ${this.#apiKey}` : undefined;
    this.#chatModel = options.upstreamModel;
    this.#pool = replicaPool(url.origin, options);
  }

  async health(signal: AbortSignal): Promise<HealthProbe> {
    const started = performance.now();
    try {
      const res = await this.#call('GET', '/health', undefined, { signal });
      const body = await readBody(res.body, signal);
      const latencyMs = performance.now() - started;
      if (res.statusCode === 200) return { healthy: true, latencyMs };
      return { healthy: false, latencyMs, error: (this.#redact(parseErrorResponse(res.statusCode, body, null)) as UpstreamError).message };
    } catch (error) {
      // Shown to clients (ModelHealth.error): a failure's log detail carries codes.
      return { healthy: false, latencyMs: null, error: error instanceof UpstreamError ? publicReason(error.failure) : (error as Error).message };
    }
  }

  /** TGI's `/info`. */
  async limits(signal: AbortSignal): Promise<ModelLimits> {
    const res = await this.#call('GET', '/info', undefined, { signal });
    const body = await readBody(res.body, signal);
    if (res.statusCode !== 200) throw this.#redact(parseErrorResponse(res.statusCode, body, null));
    return parseInfo(body);
  }

  async generate(request: CompletionRequest, options: CallOptions): Promise<GenerationOutput> {
    const res = await this.#call('POST', '/generate', toGenerateRequest(request), options);
    const body = await readBody(res.body, options.signal, MAX_GENERATION_BODY);
    if (res.statusCode !== 200) throw this.#redact(errorOf(res, body));
    return parseGenerateResponse(body);
  }

  async generateStream(request: CompletionRequest, options: CallOptions): Promise<TokenStream> {
    const res = await this.#openStream('/generate_stream', toGenerateRequest(request), options);
    return relay(decodeTokenStream(res.body), res.body, options.signal, (e) => this.#redact(e));
  }

  async chat(request: ChatRequest, options: CallOptions): Promise<ChatOutput> {
    const res = await this.#call('POST', TGI_CHAT_PATH, buildTgiChatRequest(request, { stream: false, model: this.#chatModel }), options);
    const body = await readBody(res.body, options.signal, MAX_GENERATION_BODY);
    if (res.statusCode !== 200) throw this.#redact(errorOf(res, body));
    return parseTgiChatResponse(body, request);
  }

  async chatStream(request: ChatRequest, options: CallOptions): Promise<ChatStream> {
    const res = await this.#openStream(TGI_CHAT_PATH, buildTgiChatRequest(request, { stream: true, model: this.#chatModel }), options);
    return relay(decodeTgiChatStream(res.body, request), res.body, options.signal, (e) => this.#redact(e));
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

  /** What TGI (or a proxy before it) says, with the key blotted out should it echo it. */
  #redact(error: unknown): unknown {
    return redacted(error, this.#apiKey);
  }

  /** Resolves once TGI has answered 200 with an event stream. */
  async #openStream(path: string, body: unknown, options: CallOptions): Promise<Response> {
    const res = await this.#call('POST', path, body, options);
    if (res.statusCode !== 200) throw this.#redact(errorOf(res, await readBody(res.body, options.signal, MAX_SMALL_BODY)));
    if (!isEventStream(res.headers)) {
      discard(res.body);
      throw new UpstreamError({ kind: 'protocol', detail: `stream answered with content-type ${String(res.headers['content-type'])}` });
    }
    return res;
  }

  async #call(method: 'GET' | 'POST', path: string, body: unknown, options: CallOptions): Promise<Response> {
    const headers: Record<string, string> = { ...options.headers };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.#authorization) headers.authorization = this.#authorization;
    try {
      return await this.#pool.request({
        method,
        path: this.#prefix + path,
        signal: options.signal,
        headers,
        body: body === undefined ? undefined : wireJson(body),
      });
    } catch (error) {
      throw classify(error, options.signal, 'reset');
    }
  }
}

function errorOf(res: { statusCode: number; headers: Response['headers'] }, body: string): UpstreamError {
  const retryAfter = res.headers['retry-after'];
  return parseErrorResponse(res.statusCode, body, typeof retryAfter === 'string' ? retryAfter : null);
}

