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
  /** vLLM's and SGLang's chat template options: go on with the final (assistant) message. */
  continue_final_message?: boolean;
  add_generation_prompt?: boolean;
}
