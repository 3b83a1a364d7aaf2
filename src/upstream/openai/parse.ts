// Non-streamed OpenAI-compatible answers → the gateway's types: a completion,
// and `/v1/models` as the model's limits. (Chat answers: chat-wire.ts; error
// bodies: errors.ts.)
//
// Limits a server does not report are filled in explicitly:
// - maxTotalTokens: `max_model_len` (vLLM, SGLang), else llama.cpp's
//   `meta.n_ctx_train` (an upper bound on its context), else
//   UNKNOWN_CONTEXT_TOKENS — a bound so high that the gateway's own context
//   check refuses nothing, leaving the check to the server (its 400 is a
//   BAD_USER_INPUT). A guess such as 4096 would refuse valid requests to
//   long-context models behind Ollama.
// - maxInputTokens: maxTotalTokens - 1 (one new token at least).
// - maxConcurrentRequests: the client's connection-pool size (the server
//   queues, it reports no cap).
// - maxStopSequences: the gateway's own cap, MAX_STOP_SEQUENCES (the servers have none).
// - maxBestOf: 1. version: `owned_by`, else 'openai'.
import type { GenerationOutput, ModelLimits, TokenUsage } from '../types.ts';
import { inBandError } from '../openai-wire/errors.ts';
import { finishOf, toFinishReason } from '../openai-wire/finish.ts';
import { isObject, parseJsonObject, protocolError, type Json } from '../json.ts';
import { firstChoice, parseUsage } from '../openai-wire/shape.ts';

export type GenerationOutputWithUsage = GenerationOutput & { usage: TokenUsage | null };

export const UNKNOWN_CONTEXT_TOKENS = 2 ** 31 - 1;
export const MAX_STOP_SEQUENCES = 16;

/** The 200 body of a non-streamed `/v1/completions`; `prefix` goes before the text (the prompt, for return_full_text). */
export function parseCompletionResponse(text: string, prefix = ''): GenerationOutputWithUsage {
  const json = parseJsonObject(text, 'completion response');
  const error = inBandError(json);
  if (error) throw error;
  const choice = firstChoice(json, 'completion response');
  if (!choice || typeof choice.text !== 'string') throw protocolError('completion response without text');
  const reason = finishOf(choice);
  if (reason === null) throw protocolError('completion response without finish_reason');
  const usage = parseUsage(json.usage);
  const ids = choice.token_ids;
  return {
    generatedText: prefix + choice.text,
    details: {
      finishReason: toFinishReason(reason, choice),
      generatedTokens: usage?.completionTokens ?? (Array.isArray(ids) ? ids.length : 0),
      seed: null,
    },
    usage,
  };
}

const positiveInt = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n > 1;

function contextOf(model: Json | undefined): number {
  if (!model) return UNKNOWN_CONTEXT_TOKENS;
  if (positiveInt(model.max_model_len)) return model.max_model_len;
  if (isObject(model.meta) && positiveInt(model.meta.n_ctx_train)) return model.meta.n_ctx_train;
  return UNKNOWN_CONTEXT_TOKENS;
}

export interface ModelsOptions {
  /** The served name the client was configured with; else the first model listed is the one. */
  upstreamModel?: string;
  /** The client's connection-pool size, reported as the concurrency cap. */
  connections: number;
}

/** `GET /v1/models` → the limits of the served model (the configured one, else the first listed). */
export function parseModels(text: string, options: ModelsOptions): ModelLimits {
  const json = parseJsonObject(text, 'model list');
  if (!Array.isArray(json.data)) throw protocolError('model list without data');
  const models = json.data.filter((m: unknown): m is Json => isObject(m) && typeof m.id === 'string');
  const model = options.upstreamModel === undefined ? models[0] : models.find((m) => m.id === options.upstreamModel);
  const modelId = options.upstreamModel ?? (model?.id as string | undefined);
  if (modelId === undefined) throw protocolError('model list names no model');
  const maxTotalTokens = contextOf(model);
  return {
    modelId,
    maxConcurrentRequests: options.connections,
    maxBestOf: 1,
    maxStopSequences: MAX_STOP_SEQUENCES,
    maxInputTokens: maxTotalTokens - 1,
    maxTotalTokens,
    version: typeof model?.owned_by === 'string' && model.owned_by.length > 0 ? model.owned_by : 'openai',
  };
}
