// vLLM's checks of a completion or chat request (SamplingParams and the serving layer), in
// its wording, all answered 400 before any byte of a stream. Unlike TGI, vLLM takes
// temperature 0 (greedy) and top_p 1.0, and knows one limit only: max_model_len.

import { renderedPrompt, type OpenAiRequest } from '../core/openai-style-request.ts';
import type { ValidatedRequest } from '../core/planner.ts';
import { tokenize, truncateTokens } from '../core/tokenizer.ts';
import { badRequest, type OpenAiError } from './errors.ts';

function samplingError(request: OpenAiRequest): OpenAiError | null {
  const { temperature, topP, topK, repetitionPenalty, maxTokens } = request;
  if (temperature !== null && temperature < 0) return badRequest(`temperature must be non-negative, got ${temperature}.`, 'temperature');
  if (topP !== null && !(topP > 0 && topP <= 1)) return badRequest(`top_p must be in (0, 1], got ${topP}.`, 'top_p');
  // -1 is the older spelling of "disabled".
  if (topK !== null && topK < -1) return badRequest(`top_k must be 0 (disable), or at least 1, got ${topK}.`, 'top_k');
  for (const [param, value] of [['presence_penalty', request.presencePenalty], ['frequency_penalty', request.frequencyPenalty]] as const) {
    if (value !== null && !(value >= -2 && value <= 2)) return badRequest(`${param} must be in [-2, 2], got ${value}.`, param);
  }
  if (repetitionPenalty !== null && !(repetitionPenalty > 0)) {
    return badRequest(`repetition_penalty must be greater than zero, got ${repetitionPenalty}.`, 'repetition_penalty');
  }
  if (maxTokens !== null && maxTokens < 1) return badRequest(`max_tokens must be at least 1, got ${maxTokens}.`, 'max_tokens');
  return null;
}

function requestError(request: OpenAiRequest, maxModelLen: number): OpenAiError | null {
  if (request.n !== null && request.n !== 1) return badRequest(`n must be 1 on this simulator, got ${request.n}.`, 'n');
  if (request.streamOptions !== null && !request.stream) {
    return badRequest('Stream options can only be defined when `stream=True`.', 'stream_options');
  }
  if (request.messages !== null && request.messages.length === 0) return badRequest('messages must not be empty.', 'messages');
  if (request.continueFinalMessage && request.addGenerationPrompt) {
    return badRequest('Cannot set both `continue_final_message` and `add_generation_prompt` to True.', 'continue_final_message');
  }
  if (request.continueFinalMessage && request.messages?.at(-1)?.role !== 'assistant') {
    return badRequest('continue_final_message is set but the final message is not an assistant message.', 'continue_final_message');
  }
  const truncate = request.truncatePromptTokens;
  if (truncate !== null && truncate !== -1 && truncate < 1) {
    return badRequest(`truncate_prompt_tokens must be -1 or at least 1, got ${truncate}.`, 'truncate_prompt_tokens');
  }
  if (truncate !== null && truncate > maxModelLen) {
    return badRequest(
      `truncate_prompt_tokens value (${truncate}) is greater than max_model_len (${maxModelLen}). Please, select a smaller truncation size.`,
      'truncate_prompt_tokens',
    );
  }
  return samplingError(request);
}

export function validateOpenAi(request: OpenAiRequest, maxModelLen: number): ValidatedRequest | OpenAiError {
  const refused = requestError(request, maxModelLen);
  if (refused !== null) return refused;
  const truncate = request.truncatePromptTokens === -1 ? maxModelLen : request.truncatePromptTokens;
  const promptTokens = truncateTokens(tokenize(renderedPrompt(request)), truncate);
  const inputLength = promptTokens.length;
  const { maxTokens } = request;
  if (maxTokens === null ? inputLength >= maxModelLen : inputLength + maxTokens > maxModelLen) {
    if (maxTokens === null || inputLength >= maxModelLen) {
      return badRequest(
        `This model's maximum context length is ${maxModelLen} tokens. However, your request has ${inputLength} input tokens. ` +
          'Please reduce the length of the input messages.',
      );
    }
    return badRequest(
      `'max_tokens' is too large: ${maxTokens}. This model's maximum context length is ${maxModelLen} tokens and your ` +
        `request has ${inputLength} input tokens (${maxTokens} > ${maxModelLen} - ${inputLength}).`,
      'max_tokens',
    );
  }
  return {
    promptTokens,
    inputLength,
    maxNewTokens: maxTokens,
    contextBudget: maxModelLen - inputLength,
    stop: request.stop,
    seed: request.seed,
    // vLLM's default temperature is 1.0; only 0 is greedy.
    sampling: request.temperature !== 0,
    bestOf: 1,
    topNTokens: 0,
  };
}

export function isOpenAiError(value: ValidatedRequest | OpenAiError): value is OpenAiError {
  return 'status' in value && 'body' in value;
}
