// The OpenAI-shaped request bodies, as they travel: the whole of what
// OpenAI-compatible servers (vLLM, SGLang, llama.cpp server, Ollama) take,
// and the chat half TGI's Messages API takes. Answers are read field by field
// where they arrive (chat.ts, chunks.ts, ../openai/parse.ts), not typed here.

/** Sampling fields shared by `/v1/completions` and `/v1/chat/completions`. Unset fields are omitted. */
export interface WireSampling {
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  /** vLLM, SGLang, llama.cpp, Ollama extension. */
  top_k?: number;
  /** vLLM, SGLang extension (llama.cpp calls it repeat_penalty and ignores this). */
  repetition_penalty?: number;
  /** llama.cpp's name for it. */
  repeat_penalty?: number;
  /** llama.cpp extension: locally typical sampling. */
  typical_p?: number;
  frequency_penalty?: number;
  presence_penalty?: number;
  stop?: string[];
  /** u64 here: a bigint, written as a bare JSON number (vLLM takes int64, llama.cpp 32 bits: the dialect bounds it). */
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

export type WireChatRole = 'system' | 'user' | 'assistant' | 'tool';

export interface WireToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type WireChatMessage =
  | { role: 'system' | 'user'; content: string }
  /** An assistant turn that called tools: content null when it wrote none. */
  | { role: 'assistant'; content: string | null; tool_calls?: WireToolCall[] }
  | { role: 'tool'; content: string; tool_call_id: string };

export interface WireTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: object };
}

export type WireToolChoice = 'auto' | 'none' | 'required' | { type: 'function'; function: { name: string } };

export interface WireChatRequest extends WireSampling {
  model: string;
  messages: WireChatMessage[];
  stream: boolean;
  stream_options?: WireStreamOptions;
  tools?: WireTool[];
  tool_choice?: WireToolChoice;
  parallel_tool_calls?: boolean;
  /** OpenAI's `{type: json_object | json_schema}`, or TGI's grammar `{type: json, value}`. */
  response_format?: object;
}
