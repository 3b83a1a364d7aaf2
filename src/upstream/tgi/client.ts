// One TGI replica: TGI's native routes for raw prompts, its Messages API for
// chat, over the shared replica HTTP (../replica-http.ts). Every call takes
// the request's AbortSignal: aborting it destroys the socket, which is how
// TGI learns to drop the generation from its batch.
import type {
  CallOptions,
  ChatOutput,
  ChatRequest,
  ChatStream,
  CompletionRequest,
  GenerationOutput,
  HealthProbe,
  ServerLimits,
  ServerLoad,
  PoolStats,
  TokenStream,
  UpstreamClient,
} from '../types.ts';
import { DEFAULT_CONNECTIONS, MAX_GENERATION_BODY, readBody, retryAfterSeconds } from '../http.ts';
import { ReplicaHttp, timedProbe, type ErrorReader } from '../replica-http.ts';
import { buildTgiChatRequest, tgiChatEvents, parseTgiChatResponse, TGI_CHAT_PATH } from './chat.ts';
import { parseErrorResponse, parseGenerateResponse, parseInfo } from './parse.ts';
import { toGenerateRequest } from './request.ts';
import { tokenEvents } from './stream.ts';
import { tgiServerLoad } from './load.ts';
import { inGatewayNames } from './validation-messages.ts';

export interface TgiClientOptions {
  connectTimeoutMs: number;
  /** Most sockets to this replica; TGI multiplexes nothing, so one per concurrent generation. */
  connections?: number;
  /** Sent as a bearer (TGI's `--api-key`); never logged. */
  apiKey?: string | undefined;
  /** EXPOSE_ENDPOINTS=false: the replica's address is hidden from what its server says. */
  hideAddress?: boolean | undefined;
  /** The `model` of chat requests; TGI serves one model and ignores it ("tgi" by default). */
  upstreamModel?: string | undefined;
}

const errorOf: ErrorReader = (res, body) => parseErrorResponse(res.statusCode, body, retryAfterSeconds(res.headers));

export class TgiClient implements UpstreamClient {
  readonly protocol = 'tgi';
  readonly baseUrl: string;
  readonly serverLimitsRequired = false;
  readonly #http: ReplicaHttp;
  readonly #chatModel: string | undefined;

  constructor(baseUrl: string, options: TgiClientOptions) {
    this.baseUrl = baseUrl;
    this.#chatModel = options.upstreamModel;
    this.#http = new ReplicaHttp(baseUrl, {
      connectTimeoutMs: options.connectTimeoutMs,
      connections: options.connections ?? DEFAULT_CONNECTIONS,
      apiKey: options.apiKey,
      hideAddress: options.hideAddress,
      basePath: (path) => path.replace(/\/+$/, ''),
      rewording: inGatewayNames,
    });
  }

  health(signal: AbortSignal): Promise<HealthProbe> {
    return timedProbe(async () => {
      const res = await this.#http.request('GET', '/health', undefined, { signal });
      const body = await readBody(res.body, signal);
      return res.statusCode === 200 ? null : (this.#http.passOn(errorOf(res, body)) as Error).message;
    });
  }

  /** TGI's `/info`. */
  async serverLimits(signal: AbortSignal): Promise<ServerLimits> {
    const res = await this.#http.request('GET', '/info', undefined, { signal });
    const body = await readBody(res.body, signal);
    if (res.statusCode !== 200) throw this.#http.passOn(errorOf(res, body));
    return parseInfo(body);
  }

  /** `tgi_queue_size` and `tgi_batch_current_size` of its `/metrics`. */
  serverLoad(signal: AbortSignal): Promise<ServerLoad | undefined> {
    return this.#http.serverLoad(signal, tgiServerLoad);
  }

  async generate(request: CompletionRequest, options: CallOptions): Promise<GenerationOutput> {
    const res = await this.#http.request('POST', '/generate', toGenerateRequest(request), options);
    const body = await readBody(res.body, options.signal, MAX_GENERATION_BODY);
    if (res.statusCode !== 200) throw this.#http.passOn(errorOf(res, body));
    return parseGenerateResponse(body);
  }

  async generateStream(request: CompletionRequest, options: CallOptions): Promise<TokenStream> {
    const res = await this.#http.openStream('/generate_stream', toGenerateRequest(request), options, errorOf);
    return this.#http.events(res, options.signal, tokenEvents);
  }

  async chat(request: ChatRequest, options: CallOptions): Promise<ChatOutput> {
    const res = await this.#http.request('POST', TGI_CHAT_PATH, buildTgiChatRequest(request, { stream: false, model: this.#chatModel }), options);
    const body = await readBody(res.body, options.signal, MAX_GENERATION_BODY);
    if (res.statusCode !== 200) throw this.#http.passOn(errorOf(res, body));
    try {
      return parseTgiChatResponse(body, request);
    } catch (error) {
      throw this.#http.passOn(error); // an error the answer carries in-band
    }
  }

  async chatStream(request: ChatRequest, options: CallOptions): Promise<ChatStream> {
    const res = await this.#http.openStream(TGI_CHAT_PATH, buildTgiChatRequest(request, { stream: true, model: this.#chatModel }), options, errorOf);
    return this.#http.events(res, options.signal, (emit) => tgiChatEvents(emit, request));
  }

  mayShow(text: string): boolean {
    return this.#http.mayShow(text);
  }

  stats(): PoolStats {
    return this.#http.stats();
  }

  close(): Promise<void> {
    return this.#http.close();
  }
}
