// Public shapes of the TGI simulator: its options, runtime faults, timing and counters.

export interface SimulatorTiming {
  /** Delay between the end of validation and the first token. */
  timeToFirstTokenMs: number;
  /** Delay between two consecutive tokens. */
  timePerTokenMs: number;
}

/**
 * Misbehaviours to inject. Every field but `unhealthy` is a generation fault: it applies to
 * POST /generate, /generate_stream and / only, and is what `times` counts down. When several
 * are set, the first to act wins, in this order: refuseConnections (on arrival),
 * stallBeforeHeaders, httpStatus (after the body is read and decoded), overloaded (at the
 * permit), then the token-count faults.
 */
export interface SimulatorFaults {
  /** GET /health, / and /ping answer 503 with TGI's healthcheck error. */
  unhealthy?: boolean;
  /** GET /info never answers (a replica whose router hangs); not a generation fault either. */
  stallInfo?: boolean;
  /** Destroy the socket of each generation request without answering, like a reset. */
  refuseConnections?: boolean;
  /** Answer generation requests with this HTTP status and a short JSON error. */
  httpStatus?: number;
  /** Behave as if every concurrency permit were taken. */
  overloaded?: boolean;
  /** Read the request, then never answer until the client goes away. */
  stallBeforeHeaders?: boolean;
  /** Send N tokens, then go silent (no keep-alive) until the client goes away. */
  stallAfterTokens?: number;
  /** Destroy the socket after N tokens. */
  dropAfterTokens?: number;
  /** After N tokens, fail with TGI's `generation` error (in-band on streams, 424 otherwise). */
  errorAfterTokens?: number;
  /** Apply the generation faults to the next `times` generation requests only, then clear them. */
  times?: number;
}

export interface SimulatorOptions extends SimulatorTiming {
  host: string;
  /** 0 picks an ephemeral port. */
  port: number;
  modelId: string;
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
  /** Non-stream generations answered with a TGI error status. */
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
  /** Correlation headers of the last generation request (TGI reads only `traceparent`). */
  lastGenerationHeaders: { 'x-request-id'?: string; traceparent?: string };
  /** `parameters.seed` of the last generation request that decoded, digit for digit; null when unset. */
  lastGenerationSeed: string | null;
}

export interface Simulator {
  url: string;
  port: number;
  stats(): SimulatorStats;
  setFaults(faults: Partial<SimulatorFaults>): void;
  clearFaults(): void;
  setTiming(timing: Partial<SimulatorTiming>): void;
  close(): Promise<void>;
}
