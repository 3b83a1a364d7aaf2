// TGI's GenerateRequest, the body of /generate, /generate_stream and POST /, decoded the way
// TGI's serde types do, with serde's wording for type errors (axum answers them with 422
// text/plain). Unknown fields are ignored, as in TGI. Messages API requests are mapped onto
// the same shape (messages-job.ts).

import { JsonNumber, unexpected, type JsonValue } from '../core/json.ts';

interface GenerationParameters {
  bestOf: number | null;
  temperature: number | null;
  repetitionPenalty: number | null;
  frequencyPenalty: number | null;
  topK: number | null;
  topP: number | null;
  typicalP: number | null;
  doSample: boolean;
  maxNewTokens: number | null;
  returnFullText: boolean | null;
  stop: string[];
  truncate: number | null;
  watermark: boolean;
  details: boolean;
  decoderInputDetails: boolean;
  seed: bigint | null;
  topNTokens: number | null;
}

export interface GenerationRequest {
  inputs: string;
  parameters: GenerationParameters;
  /** Only meaningful on the compat route `POST /`. */
  stream: boolean;
}

type DecodeResult = { ok: true; request: GenerationRequest } | { ok: false; message: string };

class DecodeError extends Error {}

/** Defaults of `{}`; an omitted `parameters` differs only by sampling (TGI ≥ 1.4). */
function emptyParameters(doSample: boolean): GenerationParameters {
  return {
    bestOf: null, temperature: null, repetitionPenalty: null, frequencyPenalty: null, topK: null,
    topP: null, typicalP: null, doSample, maxNewTokens: null, returnFullText: null, stop: [],
    truncate: null, watermark: false, details: false, decoderInputDetails: false, seed: null, topNTokens: null,
  };
}

const UINT_LIMITS = { u32: 2n ** 32n - 1n, u64: 2n ** 64n - 1n, usize: 2n ** 64n - 1n } as const;

function fail(path: string, value: JsonValue, expected: string): never {
  throw new DecodeError(`${path}: invalid type: ${unexpected(value)}, expected ${expected}`);
}

function unsigned(path: string, value: JsonValue, kind: keyof typeof UINT_LIMITS): bigint {
  if (!(value instanceof JsonNumber) || !value.isInteger) fail(path, value, kind);
  const integer = BigInt(value.source);
  if (integer > UINT_LIMITS.u64) fail(path, value, kind);
  if (integer < 0n || integer > UINT_LIMITS[kind]) {
    throw new DecodeError(`${path}: invalid value: integer \`${value.source}\`, expected ${kind}`);
  }
  return integer;
}

function signed32(path: string, value: JsonValue): number {
  if (!(value instanceof JsonNumber) || !value.isInteger) fail(path, value, 'i32');
  if (Math.abs(value.value) > 2 ** 31) throw new DecodeError(`${path}: invalid value: integer \`${value.source}\`, expected i32`);
  return value.value;
}

function float(path: string, value: JsonValue): number {
  if (!(value instanceof JsonNumber)) fail(path, value, 'f32');
  return value.value;
}

function bool(path: string, value: JsonValue): boolean {
  if (typeof value !== 'boolean') fail(path, value, 'a boolean');
  return value;
}

function stringList(path: string, value: JsonValue): string[] {
  if (!Array.isArray(value)) fail(path, value, 'a sequence');
  return value.map((item, index) => {
    if (typeof item !== 'string') fail(`${path}[${index}]`, item, 'a string');
    return item;
  });
}

function optional<T>(value: JsonValue, read: (value: JsonValue) => T): T | null {
  return value === null ? null : read(value);
}

function decodeParameters(value: JsonValue): GenerationParameters {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof JsonNumber) {
    fail('parameters', value, 'struct GenerateParameters');
  }
  const parameters = emptyParameters(false);
  for (const [key, field] of Object.entries(value)) {
    const path = `parameters.${key}`;
    switch (key) {
      case 'best_of': parameters.bestOf = optional(field, (v) => Number(unsigned(path, v, 'usize'))); break;
      case 'temperature': parameters.temperature = optional(field, (v) => float(path, v)); break;
      case 'repetition_penalty': parameters.repetitionPenalty = optional(field, (v) => float(path, v)); break;
      case 'frequency_penalty': parameters.frequencyPenalty = optional(field, (v) => float(path, v)); break;
      case 'top_k': parameters.topK = optional(field, (v) => signed32(path, v)); break;
      case 'top_p': parameters.topP = optional(field, (v) => float(path, v)); break;
      case 'typical_p': parameters.typicalP = optional(field, (v) => float(path, v)); break;
      case 'do_sample': parameters.doSample = bool(path, field); break;
      case 'max_new_tokens': parameters.maxNewTokens = optional(field, (v) => Number(unsigned(path, v, 'u32'))); break;
      case 'return_full_text': parameters.returnFullText = optional(field, (v) => bool(path, v)); break;
      case 'stop': parameters.stop = stringList(path, field); break;
      case 'truncate': parameters.truncate = optional(field, (v) => Number(unsigned(path, v, 'usize'))); break;
      case 'watermark': parameters.watermark = bool(path, field); break;
      case 'details': parameters.details = bool(path, field); break;
      case 'decoder_input_details': parameters.decoderInputDetails = bool(path, field); break;
      case 'seed': parameters.seed = optional(field, (v) => unsigned(path, v, 'u64')); break;
      case 'top_n_tokens': parameters.topNTokens = optional(field, (v) => Number(unsigned(path, v, 'u32'))); break;
      case 'adapter_id': optional(field, (v) => (typeof v === 'string' ? v : fail(path, v, 'a string'))); break;
      default: break; // grammar is accepted and ignored; unknown fields are ignored like serde does
    }
  }
  return parameters;
}

/** `compat` selects the `POST /` body, which also has a `stream` flag. */
export function decodeGenerationRequest(body: JsonValue, compat: boolean): DecodeResult {
  const structName = compat ? 'struct CompatGenerateRequest' : 'struct GenerateRequest';
  try {
    if (typeof body !== 'object' || body === null || Array.isArray(body) || body instanceof JsonNumber) {
      throw new DecodeError(`invalid type: ${unexpected(body)}, expected ${structName}`);
    }
    let inputs: string | undefined;
    let parameters = emptyParameters(true);
    let stream = false;
    for (const [key, field] of Object.entries(body)) {
      if (key === 'inputs') inputs = typeof field === 'string' ? field : fail('inputs', field, 'a string');
      else if (key === 'parameters') parameters = decodeParameters(field);
      else if (key === 'stream' && compat) stream = bool('stream', field);
    }
    if (inputs === undefined) throw new DecodeError('missing field `inputs`');
    return { ok: true, request: { inputs, parameters, stream } };
  } catch (error) {
    if (error instanceof DecodeError) return { ok: false, message: error.message };
    throw error;
  }
}
