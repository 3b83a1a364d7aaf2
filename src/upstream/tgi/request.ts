// The gateway's validated request → the body of TGI's `/generate` and
// `/generate_stream`. Validation already applied TGI's rules (see
// src/generation/validate.ts); this only renames.
import type { CompletionRequest, SamplingParameters } from '../types.ts';
import type { WireGenerateRequest, WireParameters } from './wire.ts';

/** The gateway's name of each sampling parameter → TGI's (the prompt is `inputs`). */
export const TGI_NAMES = {
  maxNewTokens: 'max_new_tokens',
  temperature: 'temperature',
  topP: 'top_p',
  topK: 'top_k',
  repetitionPenalty: 'repetition_penalty',
  frequencyPenalty: 'frequency_penalty',
  typicalP: 'typical_p',
  truncate: 'truncate',
  stop: 'stop',
  seed: 'seed',
  doSample: 'do_sample',
  returnFullText: 'return_full_text',
  watermark: 'watermark',
} as const satisfies Partial<Record<keyof SamplingParameters, keyof WireParameters>>;

export function toGenerateRequest(request: CompletionRequest): WireGenerateRequest {
  // Details always: the final event's finish reason, token count and seed come from them.
  const parameters: Record<string, unknown> = { details: true };
  const p = request.parameters;
  for (const field of Object.keys(TGI_NAMES) as (keyof typeof TGI_NAMES)[]) {
    const value = p[field];
    if (value !== undefined) parameters[TGI_NAMES[field]] = value;
  }
  return { inputs: request.prompt, parameters: parameters as WireParameters };
}
