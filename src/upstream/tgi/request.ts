// The gateway's validated request → the body of TGI's `/generate` and
// `/generate_stream`. Validation already applied TGI's rules (see
// src/generation/validate.ts, by TGI's dialect); this only renames.
import { snakeCase } from '../../lib/names.ts';
import type { CompletionRequest, SamplingParameters } from '../types.ts';
import type { WireGenerateRequest, WireParameters } from './wire.ts';

/** The sampling parameters TGI's native routes take, each under its snake_case name (the prompt is `inputs`). */
export const TGI_FIELDS = [
  'maxNewTokens', 'temperature', 'topP', 'topK', 'repetitionPenalty', 'frequencyPenalty', 'typicalP',
  'truncate', 'stop', 'seed', 'doSample', 'returnFullText', 'watermark',
] as const satisfies readonly (keyof SamplingParameters)[];

/** Each field with its wire name, once: the names are checked against TGI's body type. */
const RENAMED = TGI_FIELDS.map((field): [typeof field, keyof WireParameters] => [field, snakeCase(field)]);

export function toGenerateRequest(request: CompletionRequest): WireGenerateRequest {
  // Details always: the final event's finish reason, token count and seed come from them.
  const parameters: Record<string, unknown> = { details: true };
  const p = request.parameters;
  for (const [field, wire] of RENAMED) {
    const value = p[field];
    if (value !== undefined) parameters[wire] = value;
  }
  return { inputs: request.prompt, parameters: parameters as WireParameters };
}
