// What every model server protocol hands to the rest of the gateway, and what
// it is asked for: typed, camelCase, the same for TGI and OpenAI-compatible
// servers. A protocol lives in its own folder below this one (tgi/, openai/)
// and turns these into its wire format and back.

import type { Protocol, ServerFamily } from '../config/models.ts';
import type { Dialect } from './dialect.ts';

export type { Protocol, ServerFamily };

/** TOOL_CALLS: the model stopped to call tools (whatever the server reported). */
export type FinishReason = 'LENGTH' | 'EOS_TOKEN' | 'STOP_SEQUENCE' | 'TOOL_CALLS';

export interface Token {
  id: number;
  text: string;
  logprob: number | null;
  special: boolean;
}

export interface GenerationDetails {
  finishReason: FinishReason;
  generatedTokens: number;
  /** TGI seeds are unsigned 64-bit: kept as decimal text, exactly as sent. */
  seed: string | null;
}

/** One token of a stream; the last one also carries the full text and details. */
export interface StreamToken {
  index: number;
  token: Token;
  generatedText: string | null;
  details: GenerationDetails | null;
  /** On the last token, when the server reported its token counts. */
  usage?: TokenUsage | null;
}

export interface GenerationOutput {
  generatedText: string;
  details: GenerationDetails;
  /** When the server reported its token counts (TGI's `/generate` does not give the prompt's). */
  usage?: TokenUsage | null;
}

/**
 * What a replica's server says of its limits (TGI's `/info`, `/v1/models`
 * elsewhere), checked before it is asked anything. A limit the server does
 * not report is absent: the gateway then leaves that check to the server.
 */
export interface ServerLimits {
  /** The model it serves: TGI's `model_id`, the served name on OpenAI-compatible servers. */
  modelId: string;
  maxConcurrentRequests?: number;
  maxStopSequences?: number;
  /** Prompt tokens at most. */
  maxInputTokens?: number;
  /** Prompt plus generated tokens at most: the server's serving context (not the model's training context). */
  maxTotalTokens?: number;
  /** The rules of the server that answered, when it said which family it is (a refinement of its protocol's). */
  dialect?: Dialect;
}

/**
 * A server's own view of its load, from its Prometheus `/metrics` (each
 * protocol knows its servers' metric names). A gauge the server does not
 * export is null.
 */
export interface ServerLoad {
  /** Requests waiting in its queue, not yet in a batch. */
  waiting: number;
  /** Requests in its running batch. */
  running: number;
  /** Share of its KV cache in use, 0 to 1. */
  kvCacheUsage: number | null;
}

export type HealthProbe =
  | { healthy: true; latencyMs: number }
  /** `timedOut`: no answer came within the probe's time (a busy server may starve its health route). */
  | { healthy: false; latencyMs: number | null; error: string; timedOut?: true };

/** Token counts as the server reports them; the gateway never estimates them. */
export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

/**
 * Sampling parameters after validation: only the fields the client set (or the
 * schema defaulted), already checked against the model's protocol and limits.
 * Each protocol maps them onto its own names; a field it cannot honour never
 * gets here (validation refused it).
 */
export interface SamplingParameters {
  maxNewTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  repetitionPenalty?: number;
  frequencyPenalty?: number;
  presencePenalty?: number;
  typicalP?: number;
  truncate?: number;
  stop?: string[];
  /** u64, exact. */
  seed?: bigint;
  doSample?: boolean;
  returnFullText?: boolean;
  watermark?: boolean;
}

/** A raw-prompt generation (`generate`, `generateStream`). */
export interface CompletionRequest {
  prompt: string;
  parameters: SamplingParameters;
}

export type ChatRole = 'system' | 'user' | 'assistant' | 'tool';

/** A JSON value as parsed from a client's input or a model's text. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** A call the model made: its arguments as the JSON text it wrote. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

export type ChatMessage =
  | { role: 'system' | 'user'; content: string }
  /** An assistant turn that called tools has `toolCalls` (its content may then be empty). */
  | { role: 'assistant'; content: string; toolCalls?: readonly ToolCall[] }
  /** A tool's result, answering the call with `toolCallId`. */
  | { role: 'tool'; content: string; toolCallId: string };

/** A tool the model may call; `parameters` is the JSON Schema of its arguments (absent: none). */
export interface ToolDefinition {
  name: string;
  description?: string;
  parameters?: JsonObject;
}

export type ToolChoice = { mode: 'auto' | 'none' | 'required' } | { function: string };

export type ResponseFormat = { type: 'text' } | { type: 'json_object' } | { type: 'json_schema'; name: string; schema: JsonObject };

/** A chat generation (`chat`, `chatStream`): the server applies the model's chat template. */
export interface ChatRequest {
  messages: ChatMessage[];
  parameters: SamplingParameters;
  /** Absent: the model is offered no tools. */
  tools?: readonly ToolDefinition[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  responseFormat?: ResponseFormat;
  /** The final (assistant) message is the start of the answer: the server goes on from its text. */
  continueFinalMessage?: boolean;
}

export interface ChatOutput {
  content: string;
  /** Empty when the model answered in text; each id unique within the answer. */
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  usage: TokenUsage | null;
}

/**
 * A piece of a streamed call: `id` and `name` on the call's first delta only,
 * `index` stable for the call over the whole stream; a call's argument pieces
 * concatenated are its whole arguments text.
 */
export interface ToolCallDelta {
  index: number;
  id?: string;
  name?: string;
  argumentsDelta: string;
}

/**
 * One event of a chat stream: a content delta, tool-call deltas, or both.
 * Role-only and empty chunks are not events; the last event carries
 * `finishReason` (and `usage` when the server reported it) and may be empty.
 */
export interface ChatDelta {
  delta: string;
  toolCallDeltas: ToolCallDelta[];
  finishReason: FinishReason | null;
  usage: TokenUsage | null;
}

export type TokenStream = AsyncGenerator<StreamToken, void, undefined>;
export type ChatStream = AsyncGenerator<ChatDelta, void, undefined>;

export interface CallOptions {
  signal: AbortSignal;
  headers?: Record<string, string>;
}

export interface PoolStats {
  connected: number;
  busy: number;
  running: number;
  pending: number;
}

/**
 * One replica's server, whatever protocol it speaks. Every call takes the
 * request's AbortSignal: aborting it destroys the socket, which is how the
 * server learns to drop the generation from its batch. Failures are thrown as
 * UpstreamError (errors.ts), the signal's reason when it fired.
 */
export interface UpstreamClient {
  readonly protocol: Protocol;
  readonly baseUrl: string;
  /** No request can be sent before `limits()` answered (it names the served model): a replica that cannot answer it is not healthy. */
  readonly serverLimitsRequired: boolean;
  health(signal: AbortSignal): Promise<HealthProbe>;
  /** The server's limits (TGI's `/info`, `/v1/models` elsewhere); also learns the served model name. */
  serverLimits(signal: AbortSignal): Promise<ServerLimits>;
  /** Its queue and cache use from its `/metrics`; undefined when it exports none the protocol knows. */
  serverLoad?(signal: AbortSignal): Promise<ServerLoad | undefined>;
  generate(request: CompletionRequest, options: CallOptions): Promise<GenerationOutput>;
  /** Resolves once the server answered 200 with an event stream; tokens (or its in-band error) follow. */
  generateStream(request: CompletionRequest, options: CallOptions): Promise<TokenStream>;
  chat(request: ChatRequest, options: CallOptions): Promise<ChatOutput>;
  chatStream(request: ChatRequest, options: CallOptions): Promise<ChatStream>;
  /** Whether a name the server reports may be shown to clients: nothing of the key or a hidden address in it. */
  mayShow(text: string): boolean;
  stats(): PoolStats;
  close(): Promise<void>;
}
