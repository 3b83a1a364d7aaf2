// The gateway's validated request → the body of TGI's `/generate` and
// `/generate_stream`. Validation already applied TGI's rules (see
// src/generation/validate.ts); this only renames.
import type { CompletionRequest, SamplingParameters } from '../types.ts';
import type { WireGenerateRequest, WireParameters } from './wire.ts';

const RENAMED = {
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
  for (const field of Object.keys(RENAMED) as (keyof typeof RENAMED)[]) {
    const value = p[field];
    if (value !== undefined) parameters[RENAMED[field]] = value;
  }
  return { inputs: request.prompt, parameters: parameters as WireParameters };
}
