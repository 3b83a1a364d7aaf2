// One OpenAI-compatible replica (vLLM, SGLang, llama.cpp server, Ollama) over
// a pooled keep-alive undici connection pool. Every call takes the request's
// AbortSignal: aborting it destroys the socket, which is how the server
// learns to drop the generation from its batch.
//
// The base URL is the server's root; a trailing `/v1` is accepted and
// dropped (`/health` lives beside it, not under it). Every request, health
// probes included, carries `Authorization: Bearer <apiKey>` when a key is
// configured; the key never appears in an error's message or detail.
//
// Generations name the served model. It is the configured `upstreamModel`,
// else the first id of `/v1/models`, learnt by `limits()` — or, when a
// generation comes first, by one shared fetch that every waiting call joins.
// A 404 from a generation route forgets it (the server may now serve another).
import type { Dispatcher, Pool } from 'undici';
import { publicReason, UpstreamError } from '../errors.ts';
import type {
  CallOptions,
  ChatOutput,
  ChatRequest,
  ChatStream,
  CompletionRequest,
  HealthProbe,
  ModelLimits,
  PoolStats,
  TokenStream,
  UpstreamClient,
} from '../types.ts';
import {
  DEFAULT_CONNECTIONS,
  replicaPool,
  classify,
  discard,
  isEventStream,
  MAX_GENERATION_BODY,
  MAX_SMALL_BODY,
  raceAbort,
  readBody,
  relay,
  retryAfterSeconds,
  wireJson,
} from '../http.ts';
import { buildChatRequest, decodeChatStream, parseChatResponse } from '../openai-wire/chat.ts';
import { decodeCompletionStream } from './completion-stream.ts';
import { parseErrorResponse } from '../openai-wire/errors.ts';
import { redacted } from '../redact.ts';
import { parseCompletionResponse, parseModels, type GenerationOutputWithUsage } from './parse.ts';
import { buildCompletionRequest, promptPrefix } from './request.ts';

export interface OpenAIClientOptions {
  connectTimeoutMs: number;
  /** Most sockets to this replica; one per concurrent generation. Also reported as its concurrency cap. */
  connections?: number;
  /** Sent as `Authorization: Bearer <apiKey>` on every request. */
  apiKey?: string;
  /** The served model name to ask for; else the first id of `/v1/models`. */
  upstreamModel?: string;
}

/** The shared `/v1/models` fetch a generation may wait on; each caller's own signal still bounds its wait. */
const LEARN_TIMEOUT_MS = 10_000;

type Body = object | undefined;

export class OpenAIClient implements UpstreamClient {
  readonly protocol = 'openai' as const;
  readonly baseUrl: string;
  readonly #pool: Pool;
  readonly #prefix: string;
  readonly #connections: number;
  readonly #apiKey: string | undefined;
  readonly #configuredModel: string | undefined;
  readonly #closing = new AbortController();
  #servedModel: string | null = null;
  #learning: Promise<string> | null = null;

  constructor(baseUrl: string, options: OpenAIClientOptions) {
    const url = new URL(baseUrl);
    this.baseUrl = baseUrl;
    this.#prefix = url.pathname.replace(/\/+$/, '').replace(/\/v1$/, '');
    this.#connections = options.connections ?? DEFAULT_CONNECTIONS;
    this.#apiKey = options.apiKey || undefined;
    this.#configuredModel = options.upstreamModel || undefined;
    this.#pool = replicaPool(url.origin, { connectTimeoutMs: options.connectTimeoutMs, connections: this.#connections });
  }

  /** `GET /health`; a server without it (Ollama: 404) is asked for `/v1/models` instead. */
  async health(signal: AbortSignal): Promise<HealthProbe> {
    const started = performance.now();
    try {
      let res = await this.#call('GET', '/health', undefined, { signal });
      let body = await readBody(res.body, signal);
      if (res.statusCode === 404) {
        res = await this.#call('GET', '/v1/models', undefined, { signal });
        body = await readBody(res.body, signal);
      }
      const latencyMs = performance.now() - started;
      if (res.statusCode === 200) return { healthy: true, latencyMs };
      return { healthy: false, latencyMs, error: (this.#errorOf(res, body) as Error).message };
    } catch (error) {
      // Shown to clients (ModelHealth.error): a failure's log detail carries codes.
      return { healthy: false, latencyMs: null, error: error instanceof UpstreamError ? publicReason(error.failure) : (error as Error).message };
    }
  }

  /** `GET /v1/models`: the served model's limits (see parse.ts for the ones no server reports). */
  async limits(signal: AbortSignal): Promise<ModelLimits> {
    const res = await this.#call('GET', '/v1/models', undefined, { signal });
    const body = await readBody(res.body, signal);
    if (res.statusCode !== 200) throw this.#errorOf(res, body);
    const limits = parseModels(body, { upstreamModel: this.#configuredModel, connections: this.#connections });
    if (this.#configuredModel === undefined) this.#servedModel = limits.modelId;
    return limits;
  }

  async generate(request: CompletionRequest, options: CallOptions): Promise<GenerationOutputWithUsage> {
    const model = await this.#model(options.signal);
    const res = await this.#call('POST', '/v1/completions', buildCompletionRequest(model, request, { stream: false }), options);
    const body = await readBody(res.body, options.signal, MAX_GENERATION_BODY);
    if (res.statusCode !== 200) throw this.#errorOf(res, body);
    return this.#guard(() => parseCompletionResponse(body, promptPrefix(request)));
  }

  /** Resolves once the server answered 200 with an event stream; tokens (or its in-band error) follow. */
  async generateStream(request: CompletionRequest, options: CallOptions): Promise<TokenStream> {
    const model = await this.#model(options.signal);
    const res = await this.#stream('/v1/completions', buildCompletionRequest(model, request, { stream: true }), options);
    return relay(decodeCompletionStream(res.body, { prefix: promptPrefix(request), signal: options.signal }), res.body, options.signal, (e) => redacted(e, this.#apiKey));
  }

  async chat(request: ChatRequest, options: CallOptions): Promise<ChatOutput> {
    const model = await this.#model(options.signal);
    const res = await this.#call('POST', '/v1/chat/completions', buildChatRequest(model, request, { stream: false }), options);
    const body = await readBody(res.body, options.signal, MAX_GENERATION_BODY);
    if (res.statusCode !== 200) throw this.#errorOf(res, body);
    return this.#guard(() => parseChatResponse(body));
  }

  async chatStream(request: ChatRequest, options: CallOptions): Promise<ChatStream> {
    const model = await this.#model(options.signal);
    const res = await this.#stream('/v1/chat/completions', buildChatRequest(model, request, { stream: true }), options);
    return relay(decodeChatStream(res.body), res.body, options.signal, (e) => redacted(e, this.#apiKey));
  }

  /** Connections and requests of the pool, for leak checks and metrics (`busy`: sockets not idle). */
  stats(): PoolStats {
    const { connected, free, running, pending } = this.#pool.stats;
    return { connected, busy: connected - free, running, pending };
  }

  /** Destroys every connection at once (requests still running are aborted). */
  async close(): Promise<void> {
    this.#closing.abort(new UpstreamError({ kind: 'reset', detail: 'client closed' }));
    await this.#pool.destroy();
  }

  /** The served model name: configured, known, or learnt by one `/v1/models` fetch shared by every caller. */
  #model(signal: AbortSignal): Promise<string> {
    const known = this.#configuredModel ?? this.#servedModel;
    if (known !== null) return Promise.resolve(known);
    this.#learning ??= this.#learn().finally(() => {
      this.#learning = null;
    });
    return raceAbort(this.#learning, signal);
  }

  async #learn(): Promise<string> {
    const signal = AbortSignal.any([this.#closing.signal, AbortSignal.timeout(LEARN_TIMEOUT_MS)]);
    try {
      return (await this.limits(signal)).modelId;
    } catch (error) {
      if (error instanceof UpstreamError) throw error;
      // Its own timeout: no answer came, and nothing was generated.
      throw new UpstreamError({ kind: 'reset', detail: 'no model list in time' });
    }
  }

  /** A POST that must answer 200 with an event stream. */
  async #stream(path: string, body: Body, options: CallOptions): Promise<Dispatcher.ResponseData> {
    const res = await this.#call('POST', path, body, options, 'text/event-stream');
    if (res.statusCode !== 200) throw this.#errorOf(res, await readBody(res.body, options.signal, MAX_SMALL_BODY));
    if (!isEventStream(res.headers)) {
      discard(res.body);
      throw new UpstreamError({ kind: 'protocol', detail: `stream answered with content-type ${String(res.headers['content-type'])}` });
    }
    return res;
  }

  async #call(method: 'GET' | 'POST', path: string, body: Body, options: CallOptions, accept?: string): Promise<Dispatcher.ResponseData> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      if (name.toLowerCase() !== 'authorization') headers[name] = value;
    }
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (accept !== undefined) headers.accept = accept;
    if (this.#apiKey !== undefined) headers.authorization = `Bearer ${this.#apiKey}`;
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

  #errorOf(res: Dispatcher.ResponseData, body: string): unknown {
    if (res.statusCode === 404 && this.#configuredModel === undefined) this.#servedModel = null;
    return redacted(parseErrorResponse(res.statusCode, body, retryAfterSeconds(res.headers)), this.#apiKey);
  }

  /** A parser's in-band error, with the key blotted out. */
  #guard<T>(parse: () => T): T {
    try {
      return parse();
    } catch (error) {
      throw redacted(error, this.#apiKey);
    }
  }
}
