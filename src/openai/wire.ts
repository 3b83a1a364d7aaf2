// The OpenAI-compatible HTTP wire format (vLLM, SGLang, llama.cpp server,
// Ollama; TGI's Messages API speaks the chat half), as it travels. Nothing
// outside src/openai and src/tgi/chat.ts sees these snake_case shapes.

/** Sampling fields shared by `/v1/completions` and `/v1/chat/completions`. Unset fields are omitted. */
export interface WireSampling {
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  /** vLLM, SGLang, llama.cpp, Ollama extension. */
  top_k?: number;
  /** vLLM, SGLang extension (llama.cpp calls it repeat_penalty and ignores this). */
  repetition_penalty?: number;
  frequency_penalty?: number;
  presence_penalty?: number;
  stop?: string[];
  /** u64 here: a bigint, written as a bare JSON number (vLLM itself takes int64). */
  seed?: bigint;
  /** vLLM extension: keep only the last N prompt tokens. */
  truncate_prompt_tokens?: number;
}

export interface WireStreamOptions {
  include_usage: boolean;
}

export interface WireCompletionRequest extends WireSampling {
  model: string;
  prompt: string;
  stream: boolean;
  stream_options?: WireStreamOptions;
  /** vLLM extension: each chunk lists the ids of its tokens. Others ignore it. */
  return_token_ids?: boolean;
  echo?: boolean;
}

export type WireChatRole = 'system' | 'user' | 'assistant';

export interface WireChatMessage {
  role: WireChatRole;
  content: string;
}

export interface WireChatRequest extends WireSampling {
  model: string;
  messages: WireChatMessage[];
  stream: boolean;
  stream_options?: WireStreamOptions;
}

export interface WireUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** `stop` and `length` everywhere; `tool_calls`, `abort` (SGLang), `error` and `eos_token`/`stop_sequence` (old TGI) occur. */
export type WireFinishReason = 'stop' | 'length' | (string & {});

/** Why a `stop` finish stopped: a stop string, a stop token id, or null for EOS. */
export type WireStopReason = string | number | null;

export interface WireCompletionChoice {
  index: number;
  text: string;
  logprobs?: unknown;
  /** null (or TGI's "") until the last chunk. */
  finish_reason: WireFinishReason | null;
  /** vLLM. */
  stop_reason?: WireStopReason;
  /** SGLang. */
  matched_stop?: WireStopReason;
  /** vLLM with `return_token_ids`. */
  token_ids?: number[] | null;
  prompt_token_ids?: number[] | null;
}

export interface WireCompletionResponse {
  id?: string;
  object?: 'text_completion';
  created?: number;
  model?: string;
  choices: WireCompletionChoice[];
  usage?: WireUsage | null;
}

/** One `data:` event of a `/v1/completions` stream; the usage chunk has no choices. */
export type WireCompletionChunk = WireCompletionResponse;

export interface WireChatResponseMessage {
  role: 'assistant';
  content: string | null;
  reasoning_content?: string | null;
  tool_calls?: unknown[];
}

export interface WireChatChoice {
  index: number;
  message: WireChatResponseMessage;
  logprobs?: unknown;
  finish_reason: WireFinishReason | null;
  stop_reason?: WireStopReason;
  matched_stop?: WireStopReason;
}

export interface WireChatResponse {
  id?: string;
  object?: 'chat.completion';
  created?: number;
  model?: string;
  choices: WireChatChoice[];
  usage?: WireUsage | null;
}

export interface WireChatDelta {
  role?: 'assistant';
  content?: string | null;
  reasoning_content?: string | null;
  tool_calls?: unknown[];
}

export interface WireChatChunkChoice {
  index: number;
  delta: WireChatDelta;
  logprobs?: unknown;
  finish_reason: WireFinishReason | null;
  stop_reason?: WireStopReason;
  matched_stop?: WireStopReason;
}

/** One `data:` event of a chat stream; the usage chunk has `choices: []`. */
export interface WireChatChunk {
  id?: string;
  object?: 'chat.completion.chunk';
  created?: number;
  model?: string;
  choices: WireChatChunkChoice[];
  usage?: WireUsage | null;
}

/** The `error` object of OpenAI, vLLM, SGLang, llama.cpp and Ollama; TGI's chat stream says `http_status_code`. */
export interface WireErrorInfo {
  message: string;
  type?: string | null;
  param?: string | null;
  /** An HTTP status (vLLM, llama.cpp) or a name (OpenAI). */
  code?: number | string | null;
  object?: 'error';
  http_status_code?: number;
}

/**
 * Error bodies, non-2xx or in-band: `{error: {...}}` (current), `{error: "..."}`
 * (auth proxies; TGI adds `error_type`), `{detail}` (FastAPI), and the bare
 * `{object: "error", message, ...}` of older vLLM and SGLang.
 */
export type WireErrorBody =
  | { error: WireErrorInfo }
  | { error: string; error_type?: string }
  | { detail: string | { msg: string; loc?: unknown[]; type?: string }[] }
  | ({ object: 'error' } & WireErrorInfo);

/** One entry of `GET /v1/models`. */
export interface WireModel {
  id: string;
  object?: 'model';
  created?: number;
  owned_by?: string;
  /** vLLM, SGLang: the context length the server enforces. */
  max_model_len?: number | null;
  root?: string | null;
  parent?: string | null;
  /** llama.cpp: the model file's training context, an upper bound on the server's. */
  meta?: { n_ctx_train?: number } | null;
}

export interface WireModelList {
  object: 'list';
  data: WireModel[];
}
