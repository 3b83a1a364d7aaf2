// A generation request as clients state it (GraphQL's GenerateInput, or the
// REST body mapped onto it): unset optional fields are null or absent.

export interface GenerateInput {
  modelId: string;
  prompt: string;
  maxNewTokens?: number | null;
  temperature?: number | null;
  topP?: number | null;
  repetitionPenalty?: number | null;
  topK?: number | null;
  stop?: readonly string[] | null;
  /** TGI's u64 seed, exact (see seed.ts). */
  seed?: bigint | null;
  doSample?: boolean | null;
  truncate?: number | null;
  typicalP?: number | null;
  frequencyPenalty?: number | null;
  returnFullText?: boolean | null;
  watermark?: boolean | null;
}

/** The schema's defaults, applied by GraphQL itself and by the REST mapping. */
export const INPUT_DEFAULTS = {
  maxNewTokens: 200,
  temperature: 0.7,
  topP: 0.95,
  repetitionPenalty: 1.0,
} as const;

/** A chat request as clients state it (GraphQL's ChatInput). */
export interface ChatInput {
  modelId: string;
  messages: readonly { role: 'SYSTEM' | 'USER' | 'ASSISTANT'; content: string }[];
  maxTokens?: number | null;
  temperature?: number | null;
  topP?: number | null;
  stop?: readonly string[] | null;
  seed?: bigint | null;
  frequencyPenalty?: number | null;
  presencePenalty?: number | null;
}
