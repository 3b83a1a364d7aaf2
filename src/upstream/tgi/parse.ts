// TGI's answers become typed values here, once, at the edge. Anything
// malformed is a protocol failure rather than a crash further up.
import { UpstreamError, type UpstreamErrorType } from '../errors.ts';
import { isObject, parseJsonObject, protocolError, type Json } from '../json.ts';
import type { FinishReason, GenerationDetails, GenerationOutput, ServerLimits, StreamToken, Token, TokenUsage } from '../types.ts';

const FINISH: Record<string, FinishReason> = {
  length: 'LENGTH',
  eos_token: 'EOS_TOKEN',
  stop_sequence: 'STOP_SEQUENCE',
};

// JSON.parse rounds integers above 2^53; TGI seeds are u64, so the digits are read from the text.
const SEED = /"seed"\s*:\s*(\d+|null)/;

function parseToken(value: unknown): Token {
  const t = value as Json | null;
  if (
    typeof t !== 'object' || t === null
    || typeof t.id !== 'number' || typeof t.text !== 'string' || typeof t.special !== 'boolean'
    || (t.logprob !== null && typeof t.logprob !== 'number')
  ) {
    throw protocolError('malformed token');
  }
  return { id: t.id, text: t.text, logprob: t.logprob as number | null, special: t.special };
}

function parseDetails(value: unknown, raw: string): GenerationDetails {
  const d = value as Json | null;
  const finishReason = typeof d?.finish_reason === 'string' ? FINISH[d.finish_reason] : undefined;
  if (!d || !finishReason || typeof d.generated_tokens !== 'number') throw protocolError('malformed details');
  const seed = SEED.exec(raw)?.[1];
  return { finishReason, generatedTokens: d.generated_tokens, seed: seed && seed !== 'null' ? seed : null };
}

/** TGI's `{error, error_type}` object, if that is what this is. */
function asWireError(json: Json): { message: string; errorType: UpstreamErrorType } | null {
  if (typeof json.error !== 'string') return null;
  return { message: json.error, errorType: typeof json.error_type === 'string' ? json.error_type : 'unknown' };
}

/** One `data:` payload of `/generate_stream`; TGI's in-band error event is thrown as such. */
export function parseStreamData(data: string): StreamToken {
  const json = parseJsonObject(data, 'stream event');
  const error = asWireError(json);
  if (error) throw new UpstreamError({ kind: 'in-band', ...error });
  if (typeof json.index !== 'number') throw protocolError('stream event without index');
  const generatedText = json.generated_text;
  if (generatedText !== null && generatedText !== undefined && typeof generatedText !== 'string') {
    throw protocolError('malformed generated_text');
  }
  const isFinal = typeof generatedText === 'string';
  if (!isFinal) return { index: json.index, token: parseToken(json.token), generatedText: null, details: null };
  const details = json.details ? parseDetails(json.details, data) : null;
  return { index: json.index, token: parseToken(json.token), generatedText, details, usage: streamUsage(json.details, details) };
}

/** TGI's final stream event gives the prompt's length (`input_length`) beside the tokens generated. */
function streamUsage(raw: unknown, details: GenerationDetails | null): TokenUsage | null {
  const promptTokens = (raw as Json | null)?.input_length;
  if (!details || typeof promptTokens !== 'number') return null;
  return { promptTokens, completionTokens: details.generatedTokens, totalTokens: promptTokens + details.generatedTokens };
}

/** The 200 body of `/generate` (requested with `details: true`). */
export function parseGenerateResponse(text: string): GenerationOutput {
  const json = parseJsonObject(text, 'generate response');
  if (typeof json.generated_text !== 'string') throw protocolError('generate response without generated_text');
  return { generatedText: json.generated_text, details: parseDetails(json.details, text) };
}

/** A non-2xx answer: TGI's JSON error when it is one, else the status alone. */
export function parseErrorResponse(status: number, text: string, retryAfterSeconds: number | null): UpstreamError {
  let error: ReturnType<typeof asWireError> = null;
  try {
    const json: unknown = JSON.parse(text);
    if (isObject(json)) error = asWireError(json);
  } catch {
    // Not JSON: axum's plain-text rejections, or a proxy's HTML page.
  }
  return new UpstreamError({
    kind: 'http',
    status,
    errorType: error?.errorType ?? null,
    // A body that is not TGI's JSON comes from something in between (a proxy page naming hosts): not kept.
    message: error?.message ?? `status ${status}`,
    retryAfterSeconds,
  });
}

/** `GET /info`, v3 or the v2.0 legacy field names. */
export function parseInfo(text: string): ServerLimits {
  const json = parseJsonObject(text, 'info');
  const maxInputTokens = json.max_input_tokens ?? json.max_input_length;
  const ints = [json.max_concurrent_requests, json.max_stop_sequences, maxInputTokens, json.max_total_tokens];
  if (typeof json.model_id !== 'string' || !ints.every((n) => typeof n === 'number' && Number.isInteger(n))) {
    throw protocolError('malformed info');
  }
  return {
    modelId: json.model_id,
    maxConcurrentRequests: json.max_concurrent_requests as number,
    maxStopSequences: json.max_stop_sequences as number,
    maxInputTokens: maxInputTokens as number,
    maxTotalTokens: json.max_total_tokens as number,
  };
}
