// Non-streamed OpenAI-compatible answers → the gateway's types: a completion,
// and `/v1/models` as the served model's limits. (Chat answers:
// ../openai-wire/chat.ts; error bodies: ../openai-wire/errors.ts.)
//
// The only limit these servers report in `/v1/models` is their serving
// context: `max_model_len` (vLLM, SGLang), llama.cpp's `meta.n_ctx` (newer
// builds; older ones state it in `/props`, read here too). The model's
// training context (`meta.n_ctx_train`) is not the server's: it is not read.
// Without one, the context check is left to the server (its 400 is a
// BAD_USER_INPUT): a guess such as 4096 would refuse valid requests to
// long-context models behind Ollama. Only llama.cpp reports its slots
// (`/props` `total_slots`); no server a stop-sequence limit (the dialect's
// default applies).
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

/** The serving context a model entry states: llama.cpp's `meta.n_ctx` (not `n_ctx_train`, the model's), else vLLM's and SGLang's `max_model_len`. */
export function servingContext(model: Json | undefined): number | undefined {
  if (isObject(model?.meta) && positiveInt(model.meta.n_ctx)) return model.meta.n_ctx;
  if (positiveInt(model?.max_model_len)) return model.max_model_len;
  return undefined;
}

/** The served model's entry of `GET /v1/models`: `upstreamModel` when configured (absent from the list: no entry), else the first listed. */
export function parseModelList(text: string, upstreamModel?: string): { modelId: string; entry: Json | undefined } {
  const json = parseJsonObject(text, 'model list');
  if (!Array.isArray(json.data)) throw protocolError('model list without data');
  const models = json.data.filter((m: unknown): m is Json => isObject(m) && typeof m.id === 'string');
  const entry = upstreamModel === undefined ? models[0] : models.find((m) => m.id === upstreamModel);
  const modelId = upstreamModel ?? (entry?.id as string | undefined);
  if (modelId === undefined) throw protocolError('model list names no model');
  return { modelId, entry };
}

/** `GET /v1/models` → the limits of the served model: `upstreamModel` when configured, else the first listed. */
export function parseModels(text: string, upstreamModel?: string): ServerLimits {
  const { modelId, entry } = parseModelList(text, upstreamModel);
  return withContext({ modelId }, servingContext(entry));
}

/** Limits with a context: one new token at least, so the prompt may fill all of it but one. */
export function withContext(limits: ServerLimits, context: number | undefined): ServerLimits {
  return context === undefined ? limits : { ...limits, maxInputTokens: context - 1, maxTotalTokens: context };
}

/**
 * llama.cpp's `GET /props`: a slot's context (`default_generation_settings.n_ctx`,
 * where builds before 2025-09 state it) and its slots (`total_slots`): it
 * queues what they cannot hold, and never answers 503.
 */
export function parseProps(text: string): { context?: number; slots?: number } {
  const json = parseJsonObject(text, 'server properties');
  const settings = json.default_generation_settings;
  const props: { context?: number; slots?: number } = {};
  if (isObject(settings) && positiveInt(settings.n_ctx)) props.context = settings.n_ctx;
  if (typeof json.total_slots === 'number' && Number.isSafeInteger(json.total_slots) && json.total_slots >= 1) props.slots = json.total_slots;
  return props;
}
