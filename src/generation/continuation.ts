// A stream whose replica fails after tokens were relayed goes on from a
// healthy replica not yet tried: the same request with the text relayed so
// far as the start of the answer (a prompt that ends with it, or a final
// assistant message continued), within what is left of the token budget. The
// client sees one stream: the continuation's events are renumbered after the
// ones relayed, its text and counts added to theirs. Where a continuation
// could not be faithful, there is none, and the stream fails as before.
import type { Replica } from '../registry/replica.ts';
import { UpstreamError } from '../upstream/errors.ts';
import type { Dialect } from '../upstream/protocol.ts';
import { judgeFailure } from './failures.ts';
import type { Generation } from './generation.ts';
import type { ChatDelta, ChatRequest, CompletionRequest, SamplingParameters, StreamToken, TokenUsage } from '../upstream/types.ts';

/** STREAM_FAILOVER and STREAM_FAILOVER_MAX. */
export interface FailoverPolicy {
  readonly continue: boolean;
  /** Continuations per stream. */
  readonly max: number;
}

export const NO_FAILOVER: FailoverPolicy = { continue: false, max: 0 };

/** What the client has been sent so far. */
export interface Relayed {
  readonly text: string;
  readonly events: number;
}

/** How one kind of stream is continued; absent where it cannot be. */
export interface Continuation<R, E> {
  /** The request that goes on after `relayed`, or undefined when no faithful continuation exists. */
  request(original: R, relayed: Relayed, dialect: Dialect): R | undefined;
  /** An event of the continuation as an event of the whole stream. */
  shifted(event: E, relayed: Relayed): E;
}

export const COMPLETION_CONTINUATION: Continuation<CompletionRequest, StreamToken> = {
  request(original, relayed) {
    // The full text would hold the continued prompt, not the client's.
    if (original.parameters.returnFullText === true) return undefined;
    const parameters = remaining(original.parameters, relayed);
    return parameters && { prompt: original.prompt + relayed.text, parameters };
  },
  shifted: (event, relayed) => ({
    ...event,
    index: event.index + relayed.events,
    generatedText: event.generatedText === null ? null : relayed.text + event.generatedText,
    details: event.details && { ...event.details, generatedTokens: event.details.generatedTokens + relayed.events },
    usage: shiftedUsage(event.usage, relayed),
  }),
};

export const CHAT_CONTINUATION: Continuation<ChatRequest, ChatDelta> = {
  request(original, relayed, dialect) {
    if (!dialect.continuesChat) return undefined;
    // The calls streamed so far are not text a server could go on from.
    if (original.tools !== undefined && original.tools.length > 0) return undefined;
    const parameters = remaining(original.parameters, relayed);
    if (!parameters) return undefined;
    return { messages: [...original.messages, { role: 'assistant', content: relayed.text }], parameters, continueFinalMessage: true };
  },
  shifted: (delta, relayed) => ({ ...delta, usage: shiftedUsage(delta.usage, relayed) ?? null }),
};

/**
 * The request that goes on after a stream's replica failed with `error`, or
 * undefined where there is to be no continuation: the generation was cut (the
 * client, a budget, shutdown), the failure is not the server's, no healthy
 * replica is left untried, or none could be faithful. When there is one, the
 * failed replica is blamed as any failure blames it and its slot is freed.
 */
export function continuable<R, E>(
  error: unknown,
  generation: Generation,
  original: R,
  relayed: Relayed,
  continuation: Continuation<R, E>,
  tried: ReadonlySet<Replica>,
): R | undefined {
  if (generation.signal.aborted || !(error instanceof UpstreamError)) return undefined;
  const asked = continuationOf(generation, original, relayed, continuation, tried);
  if (asked === undefined) return undefined;
  const failure = judgeFailure(error, { signal: generation.signal, expired: generation.deadlines.expired, streaming: true, modelId: generation.model.id });
  if (failure.blamesReplica) generation.replica?.failed();
  generation.letGo();
  return asked;
}

/** The request that would go on after `relayed`, if one could (a healthy replica untried, a faithful request); nothing is changed. */
export function continuationOf<R, E>(generation: Generation, original: R, relayed: Relayed, continuation: Continuation<R, E>, tried: ReadonlySet<Replica>): R | undefined {
  if (!generation.model.replicas.some((replica) => !tried.has(replica) && replica.state === 'HEALTHY')) return undefined;
  return continuation.request(original, relayed, generation.model.dialect);
}

/**
 * The parameters that go on after `relayed`: the budget less what was
 * relayed, and none when nothing is left or a stop sequence could span the
 * cut (its start relayed, its end in what would come).
 */
function remaining(parameters: SamplingParameters, relayed: Relayed): SamplingParameters | undefined {
  if (parameters.stop?.some((stop) => endsWithStartOf(relayed.text, stop))) return undefined;
  if (parameters.maxNewTokens === undefined) return parameters;
  const left = parameters.maxNewTokens - relayed.events;
  return left > 0 ? { ...parameters, maxNewTokens: left } : undefined;
}

/** Whether `text` ends with a proper beginning of `stop`. */
function endsWithStartOf(text: string, stop: string): boolean {
  for (let length = Math.min(stop.length - 1, text.length); length > 0; length--) {
    if (text.endsWith(stop.slice(0, length))) return true;
  }
  return false;
}

/** Both attempts' generated tokens; the continuation's prompt held the relayed ones. */
function shiftedUsage(usage: TokenUsage | null | undefined, relayed: Relayed): TokenUsage | null | undefined {
  if (!usage) return usage;
  const promptTokens = Math.max(0, usage.promptTokens - relayed.events);
  const completionTokens = usage.completionTokens + relayed.events;
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
}
