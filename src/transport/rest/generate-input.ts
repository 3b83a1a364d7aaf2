// A REST generate body as the generation service's input, field by field in
// the original backend's snake_case names, and those names put back into the
// service's messages.
import { GatewayError } from '../../errors.ts';
import { INPUT_DEFAULTS, type GenerateInput } from '../../generation/input.ts';
import { seedFromDigits, SEED_RULE } from '../../generation/seed.ts';

type NumberField = 'maxNewTokens' | 'temperature' | 'topP' | 'repetitionPenalty' | 'topK' | 'truncate' | 'typicalP' | 'frequencyPenalty';
type BooleanField = 'doSample' | 'returnFullText' | 'watermark';

/** A REST field: its name on the wire, its name in GenerateInput, and what JSON it must be. */
type Field =
  | readonly [wire: string, field: NumberField, type: 'number' | 'integer']
  | readonly [wire: string, field: BooleanField, type: 'boolean']
  | readonly [wire: string, field: 'stop', type: 'strings']
  | readonly [wire: string, field: 'seed', type: 'seed'];

const FIELDS: readonly Field[] = [
  ['max_new_tokens', 'maxNewTokens', 'integer'],
  ['temperature', 'temperature', 'number'],
  ['top_p', 'topP', 'number'],
  ['repetition_penalty', 'repetitionPenalty', 'number'],
  ['top_k', 'topK', 'integer'],
  ['stop', 'stop', 'strings'],
  ['seed', 'seed', 'seed'],
  ['do_sample', 'doSample', 'boolean'],
  ['truncate', 'truncate', 'integer'],
  ['typical_p', 'typicalP', 'number'],
  ['frequency_penalty', 'frequencyPenalty', 'number'],
  ['return_full_text', 'returnFullText', 'boolean'],
  ['watermark', 'watermark', 'boolean'],
];

/** GraphQL's names of the fields that REST clients write otherwise. */
const REST_NAMES: ReadonlyMap<string, string> = new Map([
  ['modelId', 'model_id'],
  ...FIELDS.filter(([wire, field]) => wire !== field).map(([wire, field]) => [field, wire] as const),
]);
const CLIENT_NAME = new RegExp(`\\b(?:${[...REST_NAMES.keys()].join('|')})\\b`, 'g');

/** The service names fields as GraphQL does (topP); REST clients sent them in snake_case (top_p). */
export function restMessage(failure: GatewayError): string {
  // Input errors are worded with field names (several, for token limits); other messages may quote model ids.
  if (failure.code !== 'BAD_USER_INPUT') return failure.message;
  return failure.message.replace(CLIENT_NAME, (name) => REST_NAMES.get(name) ?? name);
}

// Node 24 hands revivers the source text of each primitive (TC39 "JSON.parse source text access").
export function seedAsSource(key: string, value: unknown, context?: { source?: string }): unknown {
  return key === 'seed' && typeof value === 'number' && context?.source !== undefined ? context.source : value;
}

/** The REST body, type-checked field by field (422 naming the field, as the original backend did). */
export function toGenerateInput(body: unknown): GenerateInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('body', 'must be a JSON object');
  const b = body as Record<string, unknown>;
  if (typeof b.model_id !== 'string') throw invalid('model_id', 'is required and must be a string');
  if (typeof b.prompt !== 'string') throw invalid('prompt', 'is required and must be a string');
  const input: GenerateInput = { ...INPUT_DEFAULTS, modelId: b.model_id, prompt: b.prompt };
  for (const [wire, field, type] of FIELDS) {
    const value = b[wire];
    if (value === undefined || value === null) continue;
    switch (type) {
      case 'seed': {
        // A JSON number arrives here as its digits (see seedAsSource), a JSON string as itself.
        const seed = typeof value === 'string' ? seedFromDigits(value) : undefined;
        if (seed === undefined) throw invalid(wire, `${SEED_RULE}, as a JSON number or a string of decimal digits`);
        input[field] = seed;
        break;
      }
      case 'integer':
      case 'number':
        if (typeof value !== 'number' || !(type === 'integer' ? Number.isSafeInteger(value) : Number.isFinite(value))) throw invalid(wire, `must be a${type === 'integer' ? 'n' : ''} ${type}`);
        input[field] = value;
        break;
      case 'boolean':
        if (typeof value !== 'boolean') throw invalid(wire, 'must be a boolean');
        input[field] = value;
        break;
      case 'strings':
        if (!isStrings(value)) throw invalid(wire, 'must be a list of strings');
        input[field] = value;
        break;
    }
  }
  return input;
}

const isStrings = (value: unknown): value is string[] => Array.isArray(value) && value.every((s) => typeof s === 'string');

const invalid = (field: string, message: string) => new GatewayError('BAD_USER_INPUT', `${field} ${message}`, { field });
