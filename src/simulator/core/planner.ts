// Decides, up front and deterministically, every token a request will produce. The clock
// then only paces what is already decided, so /generate and /generate_stream agree exactly.

import type { WireFinishReason, WireToken } from '../../upstream/tgi/wire.ts';
import { Prng, derivedSeed } from './prng.ts';
import { promptText, type PromptToken } from './tokenizer.ts';
import { EOS_ID, EOS_TEXT, FIRST_WORD_ID, VOCABULARY, tokenText } from './vocabulary.ts';

/** Without max_new_tokens TGI fills the context; the simulator ends on EOS well before that. */
const OPEN_ENDED_CAP = 64;
const OPEN_ENDED_WORDS = { min: 4, max: 40 } as const;

/** A request as its protocol's validation leaves it: everything the plan is drawn from. */
export interface ValidatedRequest {
  promptTokens: PromptToken[];
  inputLength: number;
  /** As given; null lets the generation fill the context and end on EOS. */
  maxNewTokens: number | null;
  /** Room left in the context: max_total_tokens - input tokens. */
  contextBudget: number;
  stop: string[];
  seed: bigint | null;
  /** Whether the shard would sample, which decides whether the seed is reported. */
  sampling: boolean;
  bestOf: number;
  topNTokens: number;
}

export interface SequencePlan {
  /** Generated tokens, including a final EOS token when the finish reason is eos_token. */
  tokens: WireToken[];
  /** One list per token when top_n_tokens > 0, else empty. */
  topTokens: WireToken[][];
  finishReason: WireFinishReason;
  /** Non-special token texts joined, without the prompt. */
  text: string;
  seed: bigint | null;
}

export interface GenerationPlan {
  /** The sequence returned; with best_of it is the one with the best mean logprob. */
  main: SequencePlan;
  /** The other best_of sequences, in generation order. */
  others: SequencePlan[];
}

function logprob(prng: Prng): number {
  return -Math.round((0.01 + prng.next() * 2.98) * 1e6) / 1e6;
}

function drawWord(prng: Prng): WireToken {
  const id = prng.between(FIRST_WORD_ID, VOCABULARY.length - 1);
  return { id, text: tokenText(id), logprob: logprob(prng), special: false };
}

/** The chosen token first, then lower-ranked alternatives. */
function alternatives(chosen: WireToken, count: number, prng: Prng): WireToken[] {
  const list = [chosen];
  const base = chosen.logprob ?? 0;
  while (list.length < count) {
    const candidate = drawWord(prng);
    if (list.some((token) => token.id === candidate.id)) continue;
    list.push({ ...candidate, logprob: Math.round((base - list.length * 0.5 - prng.next() * 0.4) * 1e6) / 1e6 });
  }
  return list;
}

function planSequence(validated: ValidatedRequest, prompt: string, seed: bigint | null): SequencePlan {
  const tokens = new Prng(prompt, seed);
  const lengths = new Prng(`length\u0000${prompt}`, seed);
  const ranks = new Prng(`top\u0000${prompt}`, seed);
  let target: number;
  let endsOnEos = false;
  if (validated.maxNewTokens !== null) {
    target = Math.min(validated.maxNewTokens, validated.contextBudget);
  } else {
    const cap = Math.min(validated.contextBudget, OPEN_ENDED_CAP);
    const words = lengths.between(OPEN_ENDED_WORDS.min, OPEN_ENDED_WORDS.max);
    endsOnEos = words + 1 <= cap;
    target = endsOnEos ? words + 1 : cap;
  }
  const plan: SequencePlan = { tokens: [], topTokens: [], finishReason: 'length', text: '', seed };
  while (plan.tokens.length < target) {
    const isEos = endsOnEos && plan.tokens.length === target - 1;
    const token = isEos
      ? { id: EOS_ID, text: EOS_TEXT, logprob: -(Math.round(tokens.next() * 1e5) + 1) / 1e6, special: true }
      : drawWord(tokens);
    plan.tokens.push(token);
    if (validated.topNTokens > 0) plan.topTokens.push(alternatives(token, validated.topNTokens, ranks));
    if (isEos) {
      plan.finishReason = 'eos_token';
      break;
    }
    plan.text += token.text;
    // TGI tests the decoded output for *ending with* a stop string after each token.
    if (validated.stop.some((stop) => plan.text.endsWith(stop))) {
      plan.finishReason = 'stop_sequence';
      break;
    }
  }
  return plan;
}

function meanLogprob(plan: SequencePlan): number {
  const sum = plan.tokens.reduce((total, token) => total + (token.logprob ?? 0), 0);
  return plan.tokens.length === 0 ? 0 : sum / plan.tokens.length;
}

export function planGeneration(validated: ValidatedRequest): GenerationPlan {
  const prompt = promptText(validated.promptTokens);
  if (validated.bestOf <= 1) {
    // Greedy decoding ignores the seed and reports none; sampling without a seed gets one.
    const seed = validated.sampling ? (validated.seed ?? derivedSeed(prompt, 0)) : null;
    return { main: planSequence(validated, prompt, seed), others: [] };
  }
  const sequences = Array.from({ length: validated.bestOf }, (_, index) =>
    planSequence(validated, prompt, derivedSeed(prompt, index)),
  );
  const best = sequences.reduce((winner, candidate) => (meanLogprob(candidate) > meanLogprob(winner) ? candidate : winner));
  return { main: best, others: sequences.filter((sequence) => sequence !== best) };
}

/** How many decode steps the request takes: the longest of its sequences. */
export function stepCount(plan: GenerationPlan): number {
  return Math.max(plan.main.tokens.length, ...plan.others.map((sequence) => sequence.tokens.length));
}
