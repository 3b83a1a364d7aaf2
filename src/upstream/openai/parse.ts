// Non-streamed OpenAI-compatible answers → the gateway's types: a completion,
// and `/v1/models` as the served model's limits. (Chat answers:
// ../openai-wire/chat.ts; error bodies: ../openai-wire/errors.ts.)
//
// The only limit these servers report is the context: `max_model_len` (vLLM,
// SGLang), else llama.cpp's `meta.n_ctx_train` (an upper bound on its
// context). Without it, the context check is left to the server (its 400 is
// a BAD_USER_INPUT): a guess such as 4096 would refuse valid requests to
// long-context models behind Ollama. They report no concurrency cap (they
// queue) and no stop-sequence limit (the dialect's default applies).
import type { GenerationOutput, ServerLimits, TokenUsage } from '../types.ts';
import { inBandError } from '../openai-wire/errors.ts';
import { finishOf, toFinishReason } from '../openai-wire/finish.ts';
import { isObject, parseJsonObject, protocolError, type Json } from '../json.ts';
import { firstChoice, parseUsage } from '../openai-wire/shape.ts';

export type GenerationOutputWithUsage = GenerationOutput & { usage: TokenUsage | null };

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

function contextOf(model: Json | undefined): number | undefined {
  if (positiveInt(model?.max_model_len)) return model.max_model_len;
  if (isObject(model?.meta) && positiveInt(model.meta.n_ctx_train)) return model.meta.n_ctx_train;
  return undefined;
}

/** `GET /v1/models` → the limits of the served model: `upstreamModel` when configured, else the first listed. */
export function parseModels(text: string, upstreamModel?: string): ServerLimits {
  const json = parseJsonObject(text, 'model list');
  if (!Array.isArray(json.data)) throw protocolError('model list without data');
  const models = json.data.filter((m: unknown): m is Json => isObject(m) && typeof m.id === 'string');
  const model = upstreamModel === undefined ? models[0] : models.find((m) => m.id === upstreamModel);
  const modelId = upstreamModel ?? (model?.id as string | undefined);
  if (modelId === undefined) throw protocolError('model list names no model');
  const maxTotalTokens = contextOf(model);
  // One new token at least: the prompt may fill all of the context but one.
  return maxTotalTokens === undefined ? { modelId } : { modelId, maxInputTokens: maxTotalTokens - 1, maxTotalTokens };
}
