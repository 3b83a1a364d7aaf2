// Validated sampling parameters → the OpenAI-shaped wire names, for every
// route that speaks them (OpenAI-compatible servers' completions and chat,
// TGI's Messages API):
//
//   maxNewTokens → max_tokens          temperature → temperature
//   topP → top_p                       topK → top_k
//   repetitionPenalty → repetition_penalty (llama.cpp: repeat_penalty)
//   typicalP → typical_p (llama.cpp only)
//   frequencyPenalty, presencePenalty → frequency_penalty, presence_penalty
//   stop → stop                        seed (u64 bigint) → seed, a bare JSON number
//   truncate → truncate_prompt_tokens  doSample: false → temperature 0 (greedy)
//
// A field a server has no name for is refused by validation before this point
// (the server's dialect says so); the field set below only says how to spell
// the ones it takes.
import type { SamplingParameters } from '../types.ts';
import type { WireSampling } from './wire.ts';

/** Which optional fields a server takes; TGI's Messages API takes fewer (see ../tgi/chat.ts). */
export interface WireFieldSet {
  topK: boolean;
  /** The server's name for it, or false when it has none. */
  repetitionPenalty: 'repetition_penalty' | 'repeat_penalty' | false;
  /** Whether typical_p is taken (llama.cpp). */
  typicalP?: boolean;
  truncate: boolean;
  /** Whether top_p may be 1 (TGI's chat route wants it below 1: 1 is left out, meaning the same). */
  topPOne: boolean;
}

/** vLLM's: the widest set of OpenAI extensions. */
export const EVERY_WIRE_FIELD: WireFieldSet = { topK: true, repetitionPenalty: 'repetition_penalty', truncate: true, topPOne: true };

export function samplingFields(p: SamplingParameters, fields: WireFieldSet = EVERY_WIRE_FIELD): WireSampling {
  const wire: WireSampling = {};
  if (p.maxNewTokens !== undefined) wire.max_tokens = p.maxNewTokens;
  if (p.doSample === false) wire.temperature = 0;
  else if (p.temperature !== undefined) wire.temperature = p.temperature;
  if (p.topP !== undefined && (fields.topPOne || p.topP < 1)) wire.top_p = p.topP;
  if (p.topK !== undefined && fields.topK) wire.top_k = p.topK;
  if (p.repetitionPenalty !== undefined && fields.repetitionPenalty !== false) wire[fields.repetitionPenalty] = p.repetitionPenalty;
  if (p.typicalP !== undefined && fields.typicalP === true) wire.typical_p = p.typicalP;
  if (p.frequencyPenalty !== undefined) wire.frequency_penalty = p.frequencyPenalty;
  if (p.presencePenalty !== undefined) wire.presence_penalty = p.presencePenalty;
  if (p.stop !== undefined && p.stop.length > 0) wire.stop = [...p.stop];
  if (p.seed !== undefined) wire.seed = p.seed;
  if (p.truncate !== undefined && fields.truncate) wire.truncate_prompt_tokens = p.truncate;
  return wire;
}

/** Streams ask for the usage chunk (sent after the finish chunk, before `[DONE]`). */
export const STREAM_OPTIONS = { include_usage: true } as const;

