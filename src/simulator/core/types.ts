// Public shapes of the simulator: its options, runtime faults, timing, counters and the
// record of the requests it received.

/** `tgi`: Text Generation Inference (native routes plus its Messages API); `openai`: vLLM's OpenAI-compatible server. */
export type SimulatorProtocol = 'tgi' | 'openai';

/**
 * Which OpenAI-compatible server to be: vLLM; llama.cpp's `llama-server` as built since
 * September 2025 (`meta.n_ctx` in /v1/models, errors as `data:` events); or as built before
 * (`llamacpp-legacy`: the serving context only in /props, stream errors as `error:` lines).
 * llama.cpp queues what its slots cannot hold instead of answering 503, has /props
 * (`default_generation_settings.n_ctx`, `total_slots`), and leaves /health and /v1/models open.
 */
export type SimulatorFlavour = 'vllm' | 'llamacpp' | 'llamacpp-legacy';

/** The HTTP 500s llama.cpp answers for what the request caused (see ../openai/llamacpp.ts). */
export type RequestTiedError = 'contextShift' | 'outputFormat';

export interface SimulatorTiming {
  /** Delay between the end of validation and the first token. */
  timeToFirstTokenMs: number;
  /** Delay between two consecutive tokens. */
  timePerTokenMs: number;
}

/**
 * Misbehaviours to inject. Every field but `unhealthy`, `stallInfo` and `metricsStatus` is a generation fault:
 * it applies to the generation routes only (POST /generate, /generate_stream, /,
 * /v1/completions and /v1/chat/completions), and is what `times` counts down. When several
 * are set, the first to act wins, in this order: refuseConnections (on arrival),
 * stallBeforeHeaders, httpStatus (after the body is read and decoded), overloaded (at the
 * permit), then the token-count faults.
 */
export interface SimulatorFaults {
  /** GET /health, / and /ping answer 503 with TGI's healthcheck error (openai: GET /health, empty body). */
  unhealthy?: boolean;
  /**
   * GET /info never answers (a replica whose router hangs); not a generation fault either.
   * In openai mode, where there is no /info, GET /v1/models (the limits probe there) hangs instead.
   */
  stallInfo?: boolean;
  /**
   * GET /metrics answers this status (400–599) and no page, as a server without one does (404;
   * llama.cpp started without --metrics answers 501); not a generation fault either.
   */
  metricsStatus?: number;
  /** Destroy the socket of each generation request without answering, like a reset. */
  refuseConnections?: boolean;
  /** Answer generation requests with this HTTP status and a short JSON error. */
  httpStatus?: number;
  /** Behave as if every concurrency permit were taken (TGI: 429 or in-band; openai: HTTP 503). */
  overloaded?: boolean;
  /** Read the request, then never answer until the client goes away. */
  stallBeforeHeaders?: boolean;
  /** Send N tokens, then go silent (no keep-alive) until the client goes away. */
  stallAfterTokens?: number;
  /** Destroy the socket after N tokens. */
  dropAfterTokens?: number;
  /**
   * After N tokens, fail with a generation error: in-band on streams (followed by `[DONE]` on the
   * OpenAI-style routes), otherwise 424 (TGI) or 500 (openai).
   */
  errorAfterTokens?: number;
  /**
   * Fail as llama.cpp does for a request it cannot serve (openai mode): HTTP 500 with
   * "context shift is disabled" or the output-format error; a legacy llama.cpp stream answers
   * 200 and sends it as an `error:` line instead.
   */
  requestTiedError?: RequestTiedError;
  /**
   * Chat with tools or a JSON answer: the arguments (or the JSON answer) are `not-json`
   * (cut short), or JSON that `breaks-schema` (each required property of the wrong type).
   */
  badJson?: 'not-json' | 'breaks-schema';
  /** Apply the generation faults to the next `times` generation requests only, then clear them. */
  times?: number;
}

export interface SimulatorOptions extends SimulatorTiming {
  /** Which server to be on the wire; both draw the same tokens for the same prompt and parameters. */
  protocol: SimulatorProtocol;
  /** openai mode: which server family's habits (default vllm). */
  flavour: SimulatorFlavour;
  host: string;
  /** 0 picks an ephemeral port. */
  port: number;
  modelId: string;
  /** openai: the name `model` must equal and /v1/models lists; null means `modelId`. */
  servedModelName: string | null;
  /**
   * When set, requests need `Authorization: Bearer <apiKey>` or get 401: in openai mode every
   * /v1/* route, in TGI mode the generation routes only. /health and /metrics stay open.
   */
  apiKey: string | null;
  /** false makes GET /health answer 404, as servers without a health route (Ollama) do. */
  health: boolean;
  maxInputTokens: number;
  maxTotalTokens: number;
  maxConcurrentRequests: number;
  maxStopSequences: number;
  maxBestOf: number;
  /** Silence on a stream after which the `:` comment is sent. */
  keepAliveMs: number;
  faults: SimulatorFaults;
  /** TGI sends LF; CRLF simulates a rewriting proxy. */
  lineEnding: '\n' | '\r\n';
  /** 0 writes each SSE event whole; N > 0 writes the stream in pieces of N bytes. */
  chunkBytes: number;
  /** false: in openai mode no answer or stream carries `usage`, as some llama.cpp builds. */
  reportsUsage: boolean;
  /** Requests in the running batch at most; more wait in a queue (tgi_queue_size, vllm:num_requests_waiting). 0: no limit. */
  maxBatchSize: number;
  /** Prefill time per prompt token not in the prefix cache; prefills take turns. */
  prefillMsPerToken: number;
  /** Capacity of the prefix cache, in blocks of 16 prompt tokens (LRU); 0: nothing is cached. */
  prefixCacheBlocks: number;
  /**
   * false: in openai mode tool_choice "auto" (or tools without a tool_choice) is refused with
   * vLLM's 400, as a server started without --enable-auto-tool-choice does.
   */
  autoToolChoice: boolean;
}

export interface SimulatorStats {
  /** Requests received, keyed by `METHOD /path` (unknown paths under `other`). */
  requestsByRoute: Record<string, number>;
  activeStreams: number;
  /** Streams that reached their final token event. */
  completedStreams: number;
  /** Streams ended by the simulator with an in-band error event. */
  erroredStreams: number;
  /** Streams whose client went away before the end. */
  abortedStreams: number;
  /** Streams whose socket the simulator destroyed (dropAfterTokens). */
  droppedStreams: number;
  activeGenerations: number;
  /** Non-stream generations answered with 200. */
  completedGenerations: number;
  /** Non-stream generations answered with an error status. */
  erroredGenerations: number;
  abortedGenerations: number;
  droppedGenerations: number;
  /** Generation requests whose socket was destroyed on arrival (refuseConnections). */
  refusedConnections: number;
  /** Generation requests to which a generation fault applied. */
  faultedRequests: number;
  tokensGenerated: number;
  /** Tokens produced after the client was known to be gone; anything but 0 is a leak. */
  tokensAfterAbort: number;
  /** Concurrency permits currently held. */
  permitsInUse: number;
  openConnections: number;
  /** Bytes written but not yet taken by the kernel: they pile up when the client stops reading. */
  unsentBytes: number;
  /** Correlation and auth headers of the last generation request (TGI reads only `traceparent`). */
  lastGenerationHeaders: { 'x-request-id'?: string; traceparent?: string; authorization?: string };
  /** `parameters.seed` of the last generation request that decoded, digit for digit; null when unset. */
  lastGenerationSeed: string | null;
}

/** One request as received, for tests checking what a client sent upstream. */
export interface RecordedRequest {
  /** `METHOD /path` (the path without its query string, unknown paths included). */
  route: string;
  /** Request headers with lower-case names; repeated ones joined with ", ". */
  headers: Record<string, string>;
  /** The Authorization header, or null. */
  authorization: string | null;
  /** The body parsed with JSON.parse (numbers beyond 2^53 lose precision); null when empty or not JSON. */
  body: unknown;
}

export interface Simulator {
  url: string;
  port: number;
  stats(): SimulatorStats;
  /** The last requests received (at most REQUEST_LOG_SIZE of request-log.ts, oldest first); control routes are not recorded. */
  requests(): RecordedRequest[];
  /** The last request received on `route` (`POST /v1/chat/completions`), or on any route. */
  lastRequest(route?: string): RecordedRequest | undefined;
  clearRequests(): void;
  setFaults(faults: Partial<SimulatorFaults>): void;
  clearFaults(): void;
  setTiming(timing: Partial<SimulatorTiming>): void;
  close(): Promise<void>;
}
