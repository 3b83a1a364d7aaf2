// What the TGI client hands to the rest of the gateway: typed, camelCase, validated at the edge.

export type FinishReason = 'LENGTH' | 'EOS_TOKEN' | 'STOP_SEQUENCE';

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
}

export interface GenerationOutput {
  generatedText: string;
  details: GenerationDetails;
}

/** The limits a replica reports in `/info`, used to validate before calling it. */
export interface ModelLimits {
  modelId: string;
  maxConcurrentRequests: number;
  maxBestOf: number;
  maxStopSequences: number;
  maxInputTokens: number;
  maxTotalTokens: number;
  version: string;
}

export type HealthProbe =
  | { healthy: true; latencyMs: number }
  | { healthy: false; latencyMs: number | null; error: string };
