// The OpenAI-compatible servers, family by family, as data: what each takes
// and under which names, how wide its seed is, which of its 5xx answers the
// request caused, where it states its serving context and slots, and which
// route proves the upstream key. A replica's family is set by
// TGI_<KEY>_SERVER or told from its answers (detect.ts); until then, the
// generic dialect holds (vLLM's rules, the widest).
import type { Dialect } from '../dialect.ts';
import type { RequestTiedMessages } from '../openai-wire/errors.ts';
import { EVERY_WIRE_FIELD, type WireFieldSet } from '../openai-wire/sampling.ts';
import type { ServerFamily } from '../types.ts';

export interface ServerDialect {
  /** null until the server said which it is. */
  readonly family: ServerFamily | null;
  /** What validation holds a request to. */
  readonly rules: Dialect;
  /** The sampling fields it takes, under its names. */
  readonly fields: WireFieldSet;
  /** Messages of its 5xx (and in-stream) failures that the request caused. */
  readonly requestTied: RequestTiedMessages;
  /** A cheap GET the upstream key guards: where `/health` is public, it proves the key. */
  readonly keyProof: string;
  /** Whether `/props` states its serving context and slots (llama.cpp). */
  readonly props: boolean;
}

/**
 * llama.cpp answers HTTP 500 (or, before September 2025, an in-stream
 * `error:` line) when the request ran past the context with context shift
 * off, or when the model's output did not fit the asked format: the same
 * request fails on every replica. The messages are llama.cpp's alone, so
 * every dialect knows them (a server not yet told apart may be llama.cpp).
 */
const LLAMACPP_REQUEST_TIED: RequestTiedMessages = [/context shift is disabled/i, /does not match the expected .{0,80}format/i];

const SIGNED_64 = 2n ** 63n - 1n;

const GENERIC_RULES: Dialect = {
  serverKind: 'an OpenAI-compatible API',
  // Temperature 0 is greedy decoding there, and top_p 1 means no nucleus filtering.
  temperatureZero: true,
  topPOne: true,
  refuses: ['typicalP', 'watermark'],
  // vLLM and its kin take a signed 64-bit seed: above it, the server would refuse the request after the call.
  maxSeed: { value: SIGNED_64, why: 'an OpenAI-compatible API takes a signed 64-bit seed' },
  // The servers set no limit of their own: this is the gateway's cap.
  defaultMaxStopSequences: 16,
  toolsWithJsonFormat: true,
};

export const GENERIC: ServerDialect = {
  family: null,
  rules: GENERIC_RULES,
  fields: EVERY_WIRE_FIELD,
  requestTied: LLAMACPP_REQUEST_TIED,
  keyProof: '/v1/models',
  props: false,
};

const WITHOUT_TRUNCATE: WireFieldSet = { ...EVERY_WIRE_FIELD, truncate: false };

export const DIALECTS: Readonly<Record<ServerFamily, ServerDialect>> = {
  vllm: { ...GENERIC, family: 'vllm', rules: { ...GENERIC_RULES, serverKind: 'vLLM', maxSeed: { value: SIGNED_64, why: 'vLLM takes a signed 64-bit seed' } } },
  sglang: {
    ...GENERIC,
    family: 'sglang',
    rules: { ...GENERIC_RULES, serverKind: 'SGLang', refuses: ['typicalP', 'watermark', 'truncate'], maxSeed: { value: SIGNED_64, why: 'SGLang takes a signed 64-bit seed' } },
    fields: WITHOUT_TRUNCATE,
  },
  llamacpp: {
    ...GENERIC,
    family: 'llamacpp',
    rules: {
      ...GENERIC_RULES,
      serverKind: 'llama.cpp',
      // llama.cpp has typical_p (locally typical sampling), but nothing to truncate a prompt to its last tokens.
      refuses: ['watermark', 'truncate'],
      // Its seed is a uint32, and 0xFFFFFFFF means "a random seed".
      maxSeed: { value: 2n ** 32n - 2n, why: "llama.cpp's seed is 32-bit, and 4294967295 means a random one" },
    },
    fields: { topK: true, repetitionPenalty: 'repeat_penalty', typicalP: true, truncate: false, topPOne: true },
    // Its /health and /v1/models are public; /props needs the key.
    keyProof: '/props',
    props: true,
  },
  ollama: {
    ...GENERIC,
    family: 'ollama',
    // Its OpenAI-compatible routes read no top_k, repetition penalty, typical_p or truncation.
    rules: {
      ...GENERIC_RULES,
      serverKind: 'Ollama',
      refuses: ['typicalP', 'watermark', 'truncate', 'topK', 'repetitionPenalty'],
      maxSeed: { value: SIGNED_64, why: 'Ollama takes a signed 64-bit seed' },
    },
    fields: { topK: false, repetitionPenalty: false, truncate: false, topPOne: true },
  },
  // TGI's own OpenAI-compatible routes: no top_k, no truncation there, and top_p must stay below 1 (1 is left out).
  tgi: {
    ...GENERIC,
    family: 'tgi',
    // Its seed is a u64 (no maxSeed), and its default --max-stop-sequences is 4.
    rules: { serverKind: 'TGI', temperatureZero: true, topPOne: true, refuses: ['typicalP', 'watermark', 'truncate', 'topK'], defaultMaxStopSequences: 4, toolsWithJsonFormat: false },
    fields: { topK: false, repetitionPenalty: 'repetition_penalty', truncate: false, topPOne: false },
  },
};
