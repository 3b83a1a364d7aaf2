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
//
// The server's family (dialects.ts) is TGI_<KEY>_SERVER's, else told from its
// `/v1/models` answer (detect.ts) each time the limits are read; it names
// the fields a request carries, the failures the request caused, where the
// serving context and slots are read, and the route that proves the key.
import { UpstreamError } from '../errors.ts';
import { withDeadline } from '../../lib/deadline.ts';
import { DEFAULT_CONNECTIONS, MAX_GENERATION_BODY, raceAbort, readBody, retryAfterSeconds } from '../http.ts';
import { buildChatRequest, chatEvents, parseChatResponse } from '../openai-wire/chat.ts';
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
import { completionEvents } from './completion-stream.ts';
import { openaiServerLoad } from './load.ts';
import { parseCompletionResponse, parseModelList, parseProps, servingContext, withContext, type GenerationOutputWithUsage } from './parse.ts';
import { buildCompletionRequest, promptPrefix } from './request.ts';
import { detectFamily } from './detect.ts';
import { DIALECTS, GENERIC, type ServerDialect } from './dialects.ts';
import type { ServerFamily } from '../types.ts';

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
  /** The server family (TGI_<KEY>_SERVER); else told from its answers. */
  server?: ServerFamily | undefined;
}

/** A 401 or 403: the key the gateway sends (or its absence) is refused. */
const isRefusedKey = (status: number): boolean => status === 401 || status === 403;

function headerOf(res: Response, name: string): string | undefined {
  const value = res.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
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
  /** Set by the operator: never replaced by what the server seems to be. */
  readonly #serverSet: boolean;
  #server: ServerDialect;
  #servedModel: string | null = null;
  #learning: Promise<string> | null = null;

  constructor(baseUrl: string, options: OpenAIClientOptions) {
    this.baseUrl = baseUrl;
    this.#configuredModel = options.upstreamModel || undefined;
    this.#serverSet = options.server !== undefined;
    this.#server = options.server === undefined ? GENERIC : DIALECTS[options.server];
    this.#http = new ReplicaHttp(baseUrl, {
      connectTimeoutMs: options.connectTimeoutMs,
      connections: options.connections ?? DEFAULT_CONNECTIONS,
      apiKey: options.apiKey,
      hideAddress: options.hideAddress,
      basePath: (path) => path.replace(/\/+$/, '').replace(/\/v1$/, ''),
    });
  }

  /**
   * `GET /health`; a server without it (Ollama: 404) is asked for `/v1/models`
   * instead. Where `/health` answers without the key, a route that needs it is
   * asked too: a wrong key must not show a replica healthy.
   */
  health(signal: AbortSignal): Promise<HealthProbe> {
    return timedProbe(async () => {
      const health = await this.#get('/health', signal);
      const asked = new Set(['/health']);
      if (health.res.statusCode !== 200 && health.res.statusCode !== 404) return this.#unhealthy(health.res, health.body);
      // No /health, or not yet known which server this is (and so which route proves the key): its model list says.
      if (health.res.statusCode === 404 || this.#server.family === null) {
        const { res, body } = await this.#get('/v1/models', signal);
        asked.add('/v1/models');
        if (res.statusCode === 200) this.#identify(res, body);
        else if (health.res.statusCode === 404 || isRefusedKey(res.statusCode)) return this.#unhealthy(res, body);
      }
      const proof = this.#server.keyProof;
      if (asked.has(proof)) return null;
      const proved = await this.#get(proof, signal);
      // Only a refused key counts here: a server without that route is not the worse for it.
      return isRefusedKey(proved.res.statusCode) ? this.#unhealthy(proved.res, proved.body) : null;
    });
  }

  /** `GET /v1/models` (and llama.cpp's `/props`): the served model's limits, and which server it is. */
  async serverLimits(signal: AbortSignal): Promise<ServerLimits> {
    const { res, body } = await this.#get('/v1/models', signal);
    if (res.statusCode !== 200) throw this.#errorOf(res, body);
    const { modelId, entry } = this.#identify(res, body);
    const server = this.#server;
    let context = servingContext(entry);
    let slots: number | undefined;
    if (server.props) {
      const props = await this.#props(signal);
      // A slot holds one request: its context is the most a request may use.
      if (props.context !== undefined) context = context === undefined ? props.context : Math.min(context, props.context);
      slots = props.slots;
    }
    const limits = withContext({ modelId }, context);
    if (slots !== undefined) limits.maxConcurrentRequests = slots;
    if (server.family !== null) limits.dialect = server.rules;
    if (this.#configuredModel === undefined) this.#servedModel = modelId;
    return limits;
  }

  /** The queue, batch and KV-cache gauges of vLLM, SGLang or llama.cpp in its `/metrics` (see load.ts). */
  serverLoad(signal: AbortSignal): Promise<ServerLoad | undefined> {
    return this.#http.serverLoad(signal, openaiServerLoad);
  }

  async generate(request: CompletionRequest, options: CallOptions): Promise<GenerationOutputWithUsage> {
    const model = await this.#model(options.signal);
    const res = await this.#http.request('POST', '/v1/completions', buildCompletionRequest(model, request, { stream: false, fields: this.#server.fields }), options);
    const body = await readBody(res.body, options.signal, MAX_GENERATION_BODY);
    if (res.statusCode !== 200) throw this.#errorOf(res, body);
    return this.#guard(() => parseCompletionResponse(body, promptPrefix(request)));
  }

  /** Resolves once the server answered 200 with an event stream; tokens (or its in-band error) follow. */
  async generateStream(request: CompletionRequest, options: CallOptions): Promise<TokenStream> {
    const model = await this.#model(options.signal);
    const server = this.#server;
    const res = await this.#http.openStream('/v1/completions', buildCompletionRequest(model, request, { stream: true, fields: server.fields }), options, this.#errorOf);
    const prefix = promptPrefix(request);
    return this.#http.events(res, options.signal, (emit) => completionEvents(emit, { prefix, signal: options.signal, requestTied: server.requestTied }));
  }

  async chat(request: ChatRequest, options: CallOptions): Promise<ChatOutput> {
    const model = await this.#model(options.signal);
    const res = await this.#http.request('POST', '/v1/chat/completions', buildChatRequest(model, request, { stream: false, fields: this.#server.fields }), options);
    const body = await readBody(res.body, options.signal, MAX_GENERATION_BODY);
    if (res.statusCode !== 200) throw this.#errorOf(res, body);
    return this.#guard(() => parseChatResponse(body));
  }

  async chatStream(request: ChatRequest, options: CallOptions): Promise<ChatStream> {
    const model = await this.#model(options.signal);
    const server = this.#server;
    const res = await this.#http.openStream('/v1/chat/completions', buildChatRequest(model, request, { stream: true, fields: server.fields }), options, this.#errorOf);
    return this.#http.events(res, options.signal, (emit) => chatEvents(emit, { requestTied: server.requestTied }));
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
    return this.#http.passOn(parseErrorResponse(res.statusCode, body, retryAfterSeconds(res.headers), this.#server.requestTied)) as UpstreamError;
  };

  /** A GET whose (small) body is read whole. */
  async #get(path: string, signal: AbortSignal): Promise<{ res: Response; body: string }> {
    const res = await this.#http.request('GET', path, undefined, { signal });
    return { res, body: await readBody(res.body, signal) };
  }

  /** The served model's entry of a `/v1/models` answer; which server answered, unless the operator said it. */
  #identify(res: Response, body: string): ReturnType<typeof parseModelList> {
    const list = this.#guard(() => parseModelList(body, this.#configuredModel));
    if (!this.#serverSet) {
      const family = detectFamily(list.entry, headerOf(res, 'server'));
      this.#server = family === null ? GENERIC : DIALECTS[family];
    }
    return list;
  }

  /** llama.cpp's `/props`: unknown when it cannot be read, but a refused key is the replica's failure. */
  async #props(signal: AbortSignal): Promise<{ context?: number; slots?: number }> {
    const { res, body } = await this.#get('/props', signal);
    if (isRefusedKey(res.statusCode)) throw this.#errorOf(res, body);
    if (res.statusCode !== 200) return {};
    try {
      return parseProps(body);
    } catch {
      return {};
    }
  }

  /** A failed probe's answer in words a client may read; a refused key is named as such. */
  #unhealthy(res: Response, body: string): string {
    const reason = this.#errorOf(res, body).message;
    return isRefusedKey(res.statusCode) ? `upstream authentication failed (${reason}): check the model's API key (TGI_<KEY>_API_KEY)` : reason;
  }

  /** A parser's in-band error, with the key blotted out. */
  #guard<T>(parse: () => T): T {
    try {
      return parse();
    } catch (error) {
      throw this.#http.passOn(error);
    }
  }
}
