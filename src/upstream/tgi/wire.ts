// TGI's HTTP wire format (text-generation-inference v3.x), as it travels:
// the request bodies the gateway's TGI client writes, and the answers the
// built-in simulator writes (the client reads answers field by field in
// parse.ts, as untrusted JSON).

export type WireFinishReason = 'length' | 'eos_token' | 'stop_sequence';

/** `parameters` of `/generate` and `/generate_stream`. Unset fields are omitted, never null. */
export interface WireParameters {
  max_new_tokens?: number;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  repetition_penalty?: number;
  frequency_penalty?: number;
  typical_p?: number;
  truncate?: number;
  stop?: string[];
  /** u64: a bigint here, written as the bare JSON number TGI expects (see client.ts). */
  seed?: bigint;
  do_sample?: boolean;
  return_full_text?: boolean;
  watermark?: boolean;
  details?: boolean;
  decoder_input_details?: boolean;
  best_of?: number;
  top_n_tokens?: number;
}

export interface WireGenerateRequest {
  inputs: string;
  parameters?: WireParameters;
  /** Only on the compat route `POST /`. */
  stream?: boolean;
}

export interface WireToken {
  id: number;
  text: string;
  logprob: number | null;
  special: boolean;
}

export interface WireStreamDetails {
  finish_reason: WireFinishReason;
  generated_tokens: number;
  seed: number | null;
  input_length?: number;
}

/** One `data:` event of `/generate_stream`: a token, the last of which carries the text and details. */
export interface WireStreamEvent {
  index: number;
  token: WireToken;
  generated_text: string | null;
  details: WireStreamDetails | null;
}

/** TGI's own error body, also sent in-band as an SSE event on streams. */
export interface WireError {
  error: string;
  error_type: string;
}

/** `GET /info` (v3; v2.0 servers say `max_input_length` instead of `max_input_tokens`). */
export interface WireInfo {
  model_id: string;
  model_sha?: string | null;
  model_pipeline_tag?: string | null;
  max_concurrent_requests: number;
  max_best_of: number;
  max_stop_sequences: number;
  max_input_tokens?: number;
  max_input_length?: number;
  max_total_tokens: number;
  validation_workers?: number;
  max_client_batch_size?: number;
  router?: string;
  version: string;
  sha?: string | null;
  docker_label?: string | null;
}
