// What an upstream client hands to the rest of the gateway: typed, camelCase, validated at the edge.
// Every protocol (src/tgi, src/openai) produces these; src/upstream/types.ts adds the rest.
import type { TokenUsage } from '../upstream/types.ts';

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
  /** On the last token, when the server reported its token counts. */
  usage?: TokenUsage | null;
}

export interface GenerationOutput {
  generatedText: string;
  details: GenerationDetails;
  /** When the server reported its token counts (TGI's `/generate` does not give the prompt's). */
  usage?: TokenUsage | null;
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
