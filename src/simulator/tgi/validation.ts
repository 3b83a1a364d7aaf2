// Request validation in TGI's exact order and wording (router/src/validation.rs).
// The concurrency permit is taken between the stream/best_of checks and the rest,
// which is why a saturated server answers "overloaded" even to invalid requests.

import type { WireError } from '../../upstream/tgi/wire.ts';
import type { ValidatedRequest } from '../core/planner.ts';
import { tokenize, truncateTokens } from '../core/tokenizer.ts';
import type { SimulatorOptions } from '../core/types.ts';
import { validationError } from './errors.ts';
import type { GenerationRequest } from './generate-request.ts';

type Limits = Pick<SimulatorOptions, 'maxInputTokens' | 'maxTotalTokens' | 'maxStopSequences' | 'maxBestOf'>;

const MAX_TOP_N_TOKENS = 5;
/** The router schedules at most this many new tokens at once and reports the capped value. */
const MAX_NEW_TOKENS_CHUNK = 1024;

/** Checks made before the permit: streaming restrictions, or best_of limits on /generate. */
export function admissionError(request: GenerationRequest, limits: Limits, streaming: boolean): WireError | null {
  const { bestOf, decoderInputDetails } = request.parameters;
  if (streaming) {
    if (bestOf !== null && bestOf !== 1) return validationError('`best_of` != 1 is not supported when streaming tokens');
    if (decoderInputDetails) return validationError('`decoder_input_details` == true is not supported when streaming tokens');
    return null;
  }
  if (bestOf !== null && bestOf > 1) {
    if (limits.maxBestOf === 1) return validationError('`best_of` != 1 is not allowed for this endpoint');
    if (bestOf > limits.maxBestOf) return validationError(`\`best_of\` must be > 0 and <= ${limits.maxBestOf}. Given: ${bestOf}`);
  }
  return null;
}

/** Each best_of sequence holds its own permit. */
export function permitsNeeded(request: GenerationRequest, streaming: boolean): number {
  const bestOf = request.parameters.bestOf ?? 1;
  return !streaming && bestOf > 1 ? bestOf : 1;
}

const outside = (value: number | null, low: number, high: number): boolean =>
  value !== null && (value <= low || value >= high);

export function validate(request: GenerationRequest, limits: Limits): ValidatedRequest | WireError {
  const p = request.parameters;
  const bestOf = p.bestOf ?? 1;
  const anySamplingField = p.doSample || p.temperature !== null || p.topK !== null || p.topP !== null || p.typicalP !== null;
  if (bestOf > 1 && !anySamplingField) return validationError('you must use sampling when `best_of` is > 1');
  if ((p.temperature ?? 1) <= 0) return validationError('`temperature` must be strictly positive');
  if ((p.repetitionPenalty ?? 1) <= 0) return validationError('`repetition_penalty` must be strictly positive');
  const frequencyPenalty = p.frequencyPenalty ?? 0;
  if (frequencyPenalty < -2 || frequencyPenalty > 2) {
    return validationError('`frequency_penalty` must be >= -2.0 and <= 2.0');
  }
  if (outside(p.topP, 0, 1)) return validationError('`top_p` must be > 0.0 and < 1.0');
  if (outside(p.typicalP, 0, 1)) return validationError('`typical_p` must be > 0.0 and < 1.0');
  if (p.topK !== null && p.topK <= 0) return validationError('`top_k` must be strictly positive');
  if (p.maxNewTokens === 0) return validationError('`max_new_tokens` must be strictly positive');
  if (p.stop.length > limits.maxStopSequences) {
    return validationError(`\`stop\` supports up to ${limits.maxStopSequences} stop sequences. Given: ${p.stop.length}`);
  }
  if (p.seed !== null && bestOf > 1) return validationError('`seed` must not be set when `best_of` > 1');
  const topNTokens = p.topNTokens ?? 0;
  if (topNTokens > MAX_TOP_N_TOKENS) {
    return validationError(`\`top_n_tokens\` must be >= 0 and <= ${MAX_TOP_N_TOKENS}. Given: ${topNTokens}`);
  }
  if (request.inputs.length === 0) return validationError('`inputs` cannot be empty');
  if (p.truncate !== null && (p.truncate === 0 || p.truncate > limits.maxInputTokens)) {
    return validationError(`\`truncate\` must be strictly positive and less than ${limits.maxInputTokens}. Given: ${p.truncate}`);
  }
  const promptTokens = truncateTokens(tokenize(request.inputs), p.truncate);
  const inputLength = promptTokens.length;
  const contextBudget = Math.max(0, limits.maxTotalTokens - inputLength);
  const shownMaxNewTokens = Math.min(p.maxNewTokens ?? contextBudget, MAX_NEW_TOKENS_CHUNK);
  if (inputLength + shownMaxNewTokens > limits.maxTotalTokens) {
    return validationError(
      `\`inputs\` tokens + \`max_new_tokens\` must be <= ${limits.maxTotalTokens}. ` +
        `Given: ${inputLength} \`inputs\` tokens and ${shownMaxNewTokens} \`max_new_tokens\``,
    );
  }
  if (inputLength > limits.maxInputTokens) {
    return validationError(`\`inputs\` must have less than ${limits.maxInputTokens} tokens. Given: ${inputLength}`);
  }
  // The shard samples when asked to or when any warper differs from its neutral value.
  const sampling =
    p.doSample || (p.temperature !== null && p.temperature !== 1) || p.topK !== null || p.topP !== null || p.typicalP !== null;
  return {
    promptTokens, inputLength, maxNewTokens: p.maxNewTokens, contextBudget, stop: p.stop,
    seed: p.seed, sampling, bestOf, topNTokens,
  };
}

export function isWireError(value: ValidatedRequest | WireError): value is WireError {
  return 'error_type' in value;
}
