// The request's parameters against its model's protocol (the dialect each
// protocol states as data) and its servers' limits (TGI's `/info`,
// `/v1/models` elsewhere), checked before any upstream call so that bad input
// never costs a GPU round trip. The order and wording follow TGI's router;
// field names are the client's.
import { badInput } from '../errors.ts';
import { NEUTRAL_VALUES, type Dialect } from '../upstream/protocol.ts';
import type { SamplingParameters, ServerLimits } from '../upstream/types.ts';
import type { ChatInput, GenerateInput } from './input.ts';
import { MAX_SEED, SEED_RULE } from './seed.ts';
import { checkChatSize, checkGenerateSize } from './upstream-size.ts';

/**
 * No tokenizer runs here, so the prompt's token count is bounded from below:
 * real tokenizers put far fewer than this many UTF-8 bytes in one token.
 */
const MAX_BYTES_PER_TOKEN = 32;
const MAX_STOP_CHARS = 1024;

const isSet = <T>(value: T | null | undefined): value is T => value !== null && value !== undefined;

/** Numbers a client sets. A Float literal such as 1e400 reaches here as Infinity (graphql-js allows it). */
const NUMERIC_FIELDS = ['temperature', 'repetitionPenalty', 'frequencyPenalty', 'topP', 'typicalP', 'topK', 'maxNewTokens', 'truncate'] as const;

export function generationParameters(input: GenerateInput, limits: ServerLimits | undefined, protocolDialect: Dialect): SamplingParameters {
  // The server family's own rules, once a replica said which it is.
  const dialect = limits?.dialect ?? protocolDialect;
  const p: SamplingParameters = {};
  const { temperature, repetitionPenalty, frequencyPenalty, topP, typicalP, topK, maxNewTokens, stop, seed, truncate } = input;
  for (const field of NUMERIC_FIELDS) {
    const value = input[field];
    // JSON has no Infinity: sent on, it would reach the server as null.
    if (isSet(value) && !Number.isFinite(value)) throw badInput(field, `${field} must be a finite number`);
  }
  for (const field of dialect.refuses) {
    const value = input[field];
    if (isSet(value) && value !== NEUTRAL_VALUES[field]) throw badInput(field, `${field} is not supported by this model's server (${dialect.serverKind})`);
  }

  if (isSet(temperature)) {
    if (dialect.temperatureZero ? !(temperature >= 0) : !(temperature > 0)) {
      throw badInput('temperature', dialect.temperatureZero ? 'temperature must be >= 0' : 'temperature must be strictly positive');
    }
    p.temperature = temperature;
  }
  if (isSet(repetitionPenalty)) {
    if (!(repetitionPenalty > 0)) throw badInput('repetitionPenalty', 'repetitionPenalty must be strictly positive');
    // A server without the field takes the neutral value as if it were left out.
    if (!dialect.refuses.includes('repetitionPenalty')) p.repetitionPenalty = repetitionPenalty;
  }
  if (isSet(frequencyPenalty)) {
    if (!(frequencyPenalty >= -2 && frequencyPenalty <= 2)) {
      throw badInput('frequencyPenalty', 'frequencyPenalty must be >= -2.0 and <= 2.0');
    }
    p.frequencyPenalty = frequencyPenalty;
  }
  if (isSet(topP)) {
    if (dialect.topPOne ? !(topP > 0 && topP <= 1) : !(topP > 0 && topP < 1)) {
      throw badInput('topP', dialect.topPOne ? 'topP must be > 0.0 and <= 1.0' : 'topP must be > 0.0 and < 1.0');
    }
    p.topP = topP;
  }
  if (isSet(typicalP)) {
    if (!(typicalP > 0 && typicalP < 1)) throw badInput('typicalP', 'typicalP must be > 0.0 and < 1.0');
    p.typicalP = typicalP;
  }
  if (isSet(topK)) {
    if (!(topK > 0)) throw badInput('topK', 'topK must be strictly positive');
    p.topK = topK;
  }
  if (isSet(maxNewTokens)) {
    if (!(maxNewTokens > 0)) throw badInput('maxNewTokens', 'maxNewTokens must be strictly positive');
    p.maxNewTokens = maxNewTokens;
  }
  if (isSet(stop)) {
    p.stop = checkStop(stop, limits, dialect);
  }
  if (isSet(seed)) p.seed = checkSeed(seed, dialect);
  checkPrompt(input);
  if (isSet(truncate)) {
    const most = limits?.maxInputTokens;
    if (!(truncate > 0) || (most !== undefined && truncate > most)) {
      throw badInput('truncate', `truncate must be strictly positive${most === undefined ? '' : ` and at most ${most}`}. Given: ${truncate}`);
    }
    p.truncate = truncate;
  }
  checkTokenBudget(input, limits);
  if (isSet(input.doSample)) p.doSample = input.doSample;
  if (isSet(input.returnFullText)) p.returnFullText = input.returnFullText;
  if (isSet(input.watermark)) p.watermark = input.watermark;
  return p;
}

function checkStop(stop: readonly string[], limits: ServerLimits | undefined, dialect: Dialect): string[] {
  const most = limits?.maxStopSequences ?? dialect.defaultMaxStopSequences;
  if (stop.length > most) throw badInput('stop', `stop supports up to ${most} stop sequences. Given: ${stop.length}`);
  if (stop.some((s) => s.length === 0 || s.length > MAX_STOP_CHARS)) {
    throw badInput('stop', `each stop sequence must have 1 to ${MAX_STOP_CHARS} characters`);
  }
  return [...stop];
}

function checkSeed(seed: bigint, dialect: Dialect): bigint {
  // The edges parse seeds; this keeps any other caller within u64 too.
  if (!(seed >= 0n && seed <= MAX_SEED)) throw badInput('seed', `seed ${SEED_RULE}`);
  const most = dialect.maxSeed;
  if (most && seed > most.value) throw badInput('seed', `seed must be at most ${most.value} on this model's server (${most.why})`);
  return seed;
}

/**
 * Chat's rules, the same on every protocol: at least one message, temperature
 * >= 0 (0 is greedy: TGI's Messages API and vLLM both take it), topP in (0, 1]
 * (TGI's chat route is sent "no top-p" for 1), and the messages plus maxTokens
 * within the model's context where it is known.
 */
export function chatParameters(input: ChatInput, limits: ServerLimits | undefined, protocolDialect: Dialect): SamplingParameters {
  const dialect = limits?.dialect ?? protocolDialect;
  const p: SamplingParameters = {};
  const { temperature, topP, maxTokens, frequencyPenalty, presencePenalty, stop, seed } = input;
  for (const field of ['temperature', 'topP', 'maxTokens', 'frequencyPenalty', 'presencePenalty'] as const) {
    const value = input[field];
    if (isSet(value) && !Number.isFinite(value)) throw badInput(field, `${field} must be a finite number`);
  }
  if (input.messages.length === 0) throw badInput('messages', 'messages must hold at least one message');
  checkChatSize(input);
  if (isSet(temperature)) {
    if (!(temperature >= 0)) throw badInput('temperature', 'temperature must be >= 0');
    p.temperature = temperature;
  }
  if (isSet(topP)) {
    if (!(topP > 0 && topP <= 1)) throw badInput('topP', 'topP must be > 0.0 and <= 1.0');
    p.topP = topP;
  }
  for (const [field, value] of [['frequencyPenalty', frequencyPenalty], ['presencePenalty', presencePenalty]] as const) {
    if (!isSet(value)) continue;
    if (!(value >= -2 && value <= 2)) throw badInput(field, `${field} must be >= -2.0 and <= 2.0`);
    p[field] = value;
  }
  if (isSet(maxTokens)) {
    if (!(Number.isInteger(maxTokens) && maxTokens > 0)) throw badInput('maxTokens', 'maxTokens must be strictly positive');
    p.maxNewTokens = maxTokens;
  }
  if (isSet(stop)) p.stop = checkStop(stop, limits, dialect);
  if (isSet(seed)) p.seed = checkSeed(seed, dialect);
  const context = limits?.maxTotalTokens;
  if (context !== undefined) {
    // Each message costs its content and a few template tokens at least.
    const promptTokens = input.messages.reduce((sum, m) => sum + minimumTokens(m.content), 0);
    const newTokens = maxTokens ?? 1;
    if (promptTokens + newTokens > context) {
      throw badInput(
        promptTokens >= context ? 'messages' : 'maxTokens',
        `message tokens + maxTokens must be <= ${context}. Given: at least ${promptTokens} message tokens and ${newTokens} maxTokens`,
      );
    }
  }
  return p;
}

function checkPrompt(input: GenerateInput): void {
  if (input.prompt.length === 0) throw badInput('prompt', 'prompt cannot be empty');
  checkGenerateSize(input);
}

/**
 * Prompt tokens (at least) plus new tokens must fit the model's context. The
 * checks and sentences are TGI's, so that a limit caught here reads like one
 * TGI caught (see upstream/tgi/validation-messages.ts); the field at fault is the prompt when no
 * maxNewTokens could make it fit.
 */
function checkTokenBudget(input: GenerateInput, limits: ServerLimits | undefined): void {
  if (limits?.maxTotalTokens === undefined && limits?.maxInputTokens === undefined) return;
  const { truncate } = input;
  const promptTokens = isSet(truncate) ? Math.min(truncate, minimumTokens(input.prompt)) : minimumTokens(input.prompt);
  const newTokens = input.maxNewTokens ?? 1;
  const maxInput = limits?.maxInputTokens;
  const context = limits?.maxTotalTokens;
  const overInput = !isSet(truncate) && maxInput !== undefined && promptTokens > maxInput;
  // TGI checks the total first, then the prompt alone.
  if (context !== undefined && promptTokens + newTokens > context) {
    throw badInput(
      overInput || promptTokens >= context ? 'prompt' : 'maxNewTokens',
      `prompt tokens + maxNewTokens must be <= ${context}. Given: at least ${promptTokens} prompt tokens and ${newTokens} maxNewTokens`,
    );
  }
  if (overInput) {
    throw badInput('prompt', `prompt must have less than ${maxInput + 1} tokens. Given: at least ${promptTokens}`);
  }
}

/** A lower bound on the prompt's token count, BOS included. */
export function minimumTokens(prompt: string): number {
  return 1 + Math.ceil(Buffer.byteLength(prompt, 'utf8') / MAX_BYTES_PER_TOKEN);
}
