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
import { UpstreamError } from '../errors.ts';
import { withDeadline } from '../../lib/deadline.ts';
import { DEFAULT_CONNECTIONS, MAX_GENERATION_BODY, raceAbort, readBody, retryAfterSeconds } from '../http.ts';
import { buildChatRequest, decodeChatStream, parseChatResponse } from '../openai-wire/chat.ts';
import { parseErrorResponse } from '../openai-wire/errors.ts';
import { ReplicaHttp, timedProbe, type Response } from '../replica-http.ts';
import type {
  CallOptions,
  ChatOutput,
  ChatRequest,
  ChatStream,
  CompletionRequest,
  HealthProbe,
  ServerLimits,
  ServerLoad,
  PoolStats,
  TokenStream,
  UpstreamClient,
} from '../types.ts';
import { decodeCompletionStream } from './completion-stream.ts';
import { openaiServerLoad } from './load.ts';
import { parseCompletionResponse, parseModels, type GenerationOutputWithUsage } from './parse.ts';
import { buildCompletionRequest, promptPrefix } from './request.ts';

export interface OpenAIClientOptions {
  connectTimeoutMs: number;
  /** Most sockets to this replica; one per concurrent generation. */
  connections?: number;
  /** Sent as `Authorization: Bearer <apiKey>` on every request. */
  apiKey?: string | undefined;
  /** EXPOSE_ENDPOINTS=false: the replica's address is hidden from what its server says. */
  hideAddress?: boolean | undefined;
  /** The served model name to ask for; else the first id of `/v1/models`. */
  upstreamModel?: string | undefined;
}

/** The shared `/v1/models` fetch a generation may wait on; each caller's own signal still bounds its wait. */
const LEARN_TIMEOUT_MS = 10_000;

type Body = object | undefined;

export class OpenAIClient implements UpstreamClient {
  readonly protocol = 'openai' as const;
  readonly baseUrl: string;
  readonly serverLimitsRequired = true;
  readonly #http: ReplicaHttp;
  readonly #configuredModel: string | undefined;
  readonly #closing = new AbortController();
  #servedModel: string | null = null;
  #learning: Promise<string> | null = null;

  constructor(baseUrl: string, options: OpenAIClientOptions) {
    this.baseUrl = baseUrl;
    this.#configuredModel = options.upstreamModel || undefined;
    this.#http = new ReplicaHttp(baseUrl, {
      connectTimeoutMs: options.connectTimeoutMs,
      connections: options.connections ?? DEFAULT_CONNECTIONS,
      apiKey: options.apiKey,
      hideAddress: options.hideAddress,
      basePath: (path) => path.replace(/\/+$/, '').replace(/\/v1$/, ''),
    });
  }

  /** `GET /health`; a server without it (Ollama: 404) is asked for `/v1/models` instead. */
  health(signal: AbortSignal): Promise<HealthProbe> {
    return timedProbe(async () => {
      let res = await this.#http.request('GET', '/health', undefined, { signal });
      let body = await readBody(res.body, signal);
      if (res.statusCode === 404) {
        res = await this.#http.request('GET', '/v1/models', undefined, { signal });
        body = await readBody(res.body, signal);
      }
      return res.statusCode === 200 ? null : (this.#errorOf(res, body) as Error).message;
    });
  }

  /** `GET /v1/models`: the served model's limits (see parse.ts for the ones no server reports). */
  async serverLimits(signal: AbortSignal): Promise<ServerLimits> {
    const res = await this.#http.request('GET', '/v1/models', undefined, { signal });
    const body = await readBody(res.body, signal);
    if (res.statusCode !== 200) throw this.#errorOf(res, body);
    const limits = parseModels(body, this.#configuredModel);
    if (this.#configuredModel === undefined) this.#servedModel = limits.modelId;
    return limits;
  }

  /** The queue, batch and KV-cache gauges of vLLM, SGLang or llama.cpp in its `/metrics` (see load.ts). */
  serverLoad(signal: AbortSignal): Promise<ServerLoad | undefined> {
    return this.#http.serverLoad(signal, openaiServerLoad);
  }

  async generate(request: CompletionRequest, options: CallOptions): Promise<GenerationOutputWithUsage> {
    const model = await this.#model(options.signal);
    const res = await this.#http.request('POST', '/v1/completions', buildCompletionRequest(model, request, { stream: false }), options);
    const body = await readBody(res.body, options.signal, MAX_GENERATION_BODY);
    if (res.statusCode !== 200) throw this.#errorOf(res, body);
    return this.#guard(() => parseCompletionResponse(body, promptPrefix(request)));
  }

  /** Resolves once the server answered 200 with an event stream; tokens (or its in-band error) follow. */
  async generateStream(request: CompletionRequest, options: CallOptions): Promise<TokenStream> {
    const model = await this.#model(options.signal);
    const res = await this.#http.openStream('/v1/completions', buildCompletionRequest(model, request, { stream: true }), options, this.#errorOf);
    return this.#http.events(decodeCompletionStream(res.body, { prefix: promptPrefix(request), signal: options.signal }), res, options.signal);
  }

  async chat(request: ChatRequest, options: CallOptions): Promise<ChatOutput> {
    const model = await this.#model(options.signal);
    const res = await this.#http.request('POST', '/v1/chat/completions', buildChatRequest(model, request, { stream: false }), options);
    const body = await readBody(res.body, options.signal, MAX_GENERATION_BODY);
    if (res.statusCode !== 200) throw this.#errorOf(res, body);
    return this.#guard(() => parseChatResponse(body));
  }

  async chatStream(request: ChatRequest, options: CallOptions): Promise<ChatStream> {
    const model = await this.#model(options.signal);
    const res = await this.#http.openStream('/v1/chat/completions', buildChatRequest(model, request, { stream: true }), options, this.#errorOf);
    return this.#http.events(decodeChatStream(res.body), res, options.signal);
  }

  mayShow(text: string): boolean {
    return this.#http.mayShow(text);
  }

  stats(): PoolStats {
    return this.#http.stats();
  }

  /** Destroys every connection at once (requests still running are aborted). */
  async close(): Promise<void> {
    this.#closing.abort(new UpstreamError({ kind: 'reset', detail: 'client closed' }));
    await this.#http.close();
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

  /** Bounded by its own deadline (every waiting caller's signal bounds only its own wait) and by close(). */
  async #learn(): Promise<string> {
    try {
      return (await withDeadline(LEARN_TIMEOUT_MS, (signal) => this.serverLimits(signal), this.#closing.signal)).modelId;
    } catch (error) {
      if (error instanceof UpstreamError) throw error;
      // Its own timeout: no answer came, and nothing was generated.
      throw new UpstreamError({ kind: 'reset', detail: 'no model list in time' });
    }
  }

  /** A non-2xx answer as a failure, the key blotted out; a 404 may mean the served model changed. */
  readonly #errorOf = (res: Response, body: string): UpstreamError => {
    if (res.statusCode === 404 && this.#configuredModel === undefined) this.#servedModel = null;
    return this.#http.passOn(parseErrorResponse(res.statusCode, body, retryAfterSeconds(res.headers))) as UpstreamError;
  };

  /** A parser's in-band error, with the key blotted out. */
  #guard<T>(parse: () => T): T {
    try {
      return parse();
    } catch (error) {
      throw this.#http.passOn(error);
    }
  }
}
