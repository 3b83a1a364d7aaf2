// The rules a model's servers hold a request to, as data: read by validation
// before any call. Each protocol states its own (protocol.ts); a server family
// refines them once a replica said which it is (ServerLimits.dialect).

/** Sampling fields some servers have no equivalent for. */
export type RefusableField = 'typicalP' | 'watermark' | 'truncate' | 'topK' | 'repetitionPenalty';

/** Values that change nothing: a server without the field takes them as if left out (the schema defaults repetitionPenalty to 1). */
export const NEUTRAL_VALUES: Readonly<Partial<Record<RefusableField, number>>> = { repetitionPenalty: 1 };

/**
 * A protocol's rules, refined per server family (TGI, vLLM, SGLang,
 * llama.cpp, Ollama) once a replica said which it is (ServerLimits.dialect).
 */
export interface Dialect {
  /** How its servers are named in a refusal ("an OpenAI-compatible API", "llama.cpp"). */
  readonly serverKind: string;
  /** Whether temperature 0 (greedy decoding) is taken; otherwise it must be strictly positive. */
  readonly temperatureZero: boolean;
  /** Whether topP 1 (no nucleus filtering) is taken; otherwise it must be below 1. */
  readonly topPOne: boolean;
  /** Fields its servers have no equivalent for: refused when the client set them. */
  readonly refuses: readonly RefusableField[];
  /** The largest seed its servers take, and why; absent, the whole unsigned 64-bit range. */
  readonly maxSeed?: { readonly value: bigint; readonly why: string };
  /** Stop sequences a request may carry while the server has not said its own limit. */
  readonly defaultMaxStopSequences: number;
  /** Whether one request may carry tools and a JSON response format (TGI applies one grammar only). */
  readonly toolsWithJsonFormat: boolean;
}
