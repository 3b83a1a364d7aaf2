// The native routes' bodies (/generate, /generate_stream events, POST /) in TGI's key order.
// Seeds stay bigint so stringifyJson writes u64 exactly.

import type { WireFinishReason, WireStreamEvent, WireToken } from '../../upstream/tgi/wire.ts';
import type { GenerationPlan, SequencePlan } from '../core/planner.ts';
import type { PromptToken } from '../core/tokenizer.ts';

/** TGI's PrefillToken has no `special` field; the first logprob is NaN, serialised as null. */
interface PrefillToken {
  id: number;
  text: string;
  logprob: number | null;
}

interface BestOfSequenceBody {
  generated_text: string;
  finish_reason: WireFinishReason;
  generated_tokens: number;
  seed: bigint | null;
  prefill: PrefillToken[];
  tokens: WireToken[];
  top_tokens?: WireToken[][];
}

interface DetailsBody {
  finish_reason: WireFinishReason;
  generated_tokens: number;
  seed: bigint | null;
  prefill: PrefillToken[];
  tokens: WireToken[];
  best_of_sequences?: BestOfSequenceBody[];
  top_tokens?: WireToken[][];
}

interface GenerateBody {
  generated_text: string;
  details?: DetailsBody;
}

interface StreamDetailsBody {
  finish_reason: WireFinishReason;
  generated_tokens: number;
  seed: bigint | null;
  input_length: number;
}

type StreamEventBody = Omit<WireStreamEvent, 'details'> & {
  top_tokens?: WireToken[];
  details: StreamDetailsBody | null;
};

export interface BodyRequest {
  /** The prompt as sent, prepended when return_full_text is on. */
  inputs: string;
  returnFullText: boolean;
  details: boolean;
  decoderInputDetails: boolean;
  promptTokens: PromptToken[];
}

function prefillOf(request: BodyRequest): PrefillToken[] {
  if (!request.decoderInputDetails) return [];
  return request.promptTokens.map((token, index) => ({ id: token.id, text: token.text, logprob: index === 0 ? null : -1.5 }));
}

function fullText(request: BodyRequest, sequence: SequencePlan): string {
  return request.returnFullText ? request.inputs + sequence.text : sequence.text;
}

export function generateBody(request: BodyRequest, plan: GenerationPlan): GenerateBody {
  const body: GenerateBody = { generated_text: fullText(request, plan.main) };
  if (!request.details && !request.decoderInputDetails) return body;
  const prefill = prefillOf(request);
  const details: DetailsBody = {
    finish_reason: plan.main.finishReason,
    generated_tokens: plan.main.tokens.length,
    seed: plan.main.seed,
    prefill,
    tokens: plan.main.tokens,
  };
  if (plan.others.length > 0) {
    details.best_of_sequences = plan.others.map((sequence) => {
      const other: BestOfSequenceBody = {
        generated_text: fullText(request, sequence),
        finish_reason: sequence.finishReason,
        generated_tokens: sequence.tokens.length,
        seed: sequence.seed,
        prefill,
        tokens: sequence.tokens,
      };
      if (sequence.topTokens.length > 0) other.top_tokens = sequence.topTokens;
      return other;
    });
  }
  if (plan.main.topTokens.length > 0) details.top_tokens = plan.main.topTokens;
  body.details = details;
  return body;
}

/** Event for the token at zero-based `position`; the last one carries the text and details. */
export function streamEvent(request: BodyRequest, plan: GenerationPlan, position: number, inputLength: number): StreamEventBody {
  const sequence = plan.main;
  const token = sequence.tokens[position];
  if (token === undefined) throw new RangeError(`no token at position ${position}`);
  const last = position === sequence.tokens.length - 1;
  const generated_text = last ? fullText(request, sequence) : null;
  const details: StreamDetailsBody | null =
    last && request.details
      ? { finish_reason: sequence.finishReason, generated_tokens: sequence.tokens.length, seed: sequence.seed, input_length: inputLength }
      : null;
  const top = sequence.topTokens[position];
  return top === undefined
    ? { index: position + 1, token, generated_text, details }
    : { index: position + 1, token, top_tokens: top, generated_text, details };
}
