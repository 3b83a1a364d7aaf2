// An admitted generation, run: attempts on the replicas (attempts.ts), the
// answer charged to the caller, and for a stream, the loop that hands each
// event on as the server produces it. Every way of ending goes through the
// generation's one signal (generation.ts), never around it.
import { GatewayError } from '../errors.ts';
import { childTraceparent } from '../lib/trace.ts';
import { UpstreamError } from '../upstream/errors.ts';
import type { CallOptions, ChatDelta, ChatOutput, ChatRequest, CompletionRequest, GenerationOutput, StreamToken, TokenUsage, UpstreamClient } from '../upstream/types.ts';
import type { Replica } from '../registry/replica.ts';
import { conversationText, prefixBlocks } from '../routing/prefix-blocks.ts';
import { attemptOnReplicas, type RetryPolicy } from './attempts.ts';
import { CHAT_CONTINUATION, COMPLETION_CONTINUATION, continuable, continuationOf, NO_FAILOVER, type Continuation, type FailoverPolicy, type Relayed } from './continuation.ts';
import { judgeFailure } from './failures.ts';
import type { Generation } from './generation.ts';
import type { RequestInfo } from './report.ts';

/**
 * How one kind of request is asked of a server, and what its answer says it
 * cost: `counted` is the server's own count of generated tokens, null when it
 * gave none (the generation then charges by the text).
 */
export interface Unary<R, T> {
  /** The prompt as the server's prefix cache sees it: the rendered prompt, or the messages in order. */
  prompt(request: R): string;
  call(client: UpstreamClient, request: R, options: CallOptions): Promise<T>;
  tokens(answer: T): { text: string; counted: number | null; usage: TokenUsage | null };
}

export interface Streamed<R, E> {
  prompt(request: R): string;
  open(client: UpstreamClient, request: R, options: CallOptions): Promise<AsyncGenerator<E, void, undefined>>;
  text(event: E): string;
  usage(event: E): TokenUsage | null | undefined;
  /** How the stream goes on from another replica after its own failed mid-stream. */
  continuation: Continuation<R, E>;
}

export const COMPLETION: Unary<CompletionRequest, GenerationOutput> = {
  prompt: (request) => request.prompt,
  call: (client, request, options) => client.generate(request, options),
  // TGI's generated_tokens is its count; an OpenAI-compatible server that gives neither
  // usage nor token ids leaves it 0 (openai/parse.ts), which counts nothing.
  tokens: (output) => ({
    text: output.generatedText,
    counted: output.usage?.completionTokens ?? (output.details.generatedTokens > 0 ? output.details.generatedTokens : null),
    usage: output.usage ?? null,
  }),
};
export const CHAT: Unary<ChatRequest, ChatOutput> = {
  prompt: (request) => conversationText(request.messages),
  call: (client, request, options) => client.chat(request, options),
  // Tool-call tokens count as completion tokens: the calls' arguments are text the model wrote.
  tokens: (output) => ({ text: output.content + output.toolCalls.map((c) => c.arguments).join(''), counted: output.usage?.completionTokens ?? null, usage: output.usage }),
};
export const COMPLETION_STREAM: Streamed<CompletionRequest, StreamToken> = {
  prompt: (request) => request.prompt,
  open: (client, request, options) => client.generateStream(request, options),
  text: (token) => token.token.text,
  usage: (token) => token.usage,
  continuation: COMPLETION_CONTINUATION,
};
export const CHAT_STREAM: Streamed<ChatRequest, ChatDelta> = {
  prompt: (request) => conversationText(request.messages),
  open: (client, request, options) => client.chatStream(request, options),
  text: (delta) => (delta.toolCallDeltas.length === 0 ? delta.delta : delta.delta + delta.toolCallDeltas.map((d) => d.argumentsDelta).join('')),
  usage: (delta) => delta.usage,
  continuation: CHAT_CONTINUATION,
};

/** The consumer of a stream returned it between two events: nobody reads any more. */
const STOPPED_READING = new DOMException('the consumer stopped reading the stream', 'AbortError');

export async function runUnary<R, T>(generation: Generation, request: R, kind: Unary<R, T>, retry: RetryPolicy): Promise<T> {
  const headers = upstreamHeaders(generation.request);
  try {
    const output = await attemptOnReplicas(generation, retry, false, prefixOf(generation, request, kind), (replica, signal) =>
      kind.call(replica.client, request, { signal, headers }));
    generation.replica?.succeeded();
    const { text, counted, usage } = kind.tokens(output);
    generation.answered(text, counted, usage?.promptTokens ?? null);
    generation.complete();
    return output;
  } catch (error) {
    // attemptOnReplicas judged it already; cut, the generation ended with its own reason.
    generation.stop(error);
    throw error;
  }
}

/**
 * Tokens as the server produces them. The first event decides whether the
 * stream started (TGI reports overload in-band after HTTP 200), so retries
 * happen before it; after it, a failure ends the stream with its error.
 * `begin` admits the generation, on the first read: a stream never read costs nothing.
 */
export async function* runStream<R, E>(
  begin: () => Promise<Generation>,
  request: R,
  kind: Streamed<R, E>,
  retry: RetryPolicy,
  failover: FailoverPolicy = NO_FAILOVER,
): AsyncGenerator<E, void, undefined> {
  const generation = await begin();
  const { deadlines, signal } = generation;
  const headers = upstreamHeaders(generation.request);
  const tried = new Set<Replica>();
  // Hashed once: a continued stream is routed by the prompt it was asked for.
  const blocks = prefixOf(generation, request, kind);
  /** Ends the stream now open, not the generation: its replica went silent and another goes on. */
  let cut: AbortController | undefined;
  const open = (asked: R, policy: RetryPolicy) => {
    const own = new AbortController();
    cut = own;
    return attemptOnReplicas(generation, policy, true, blocks, async (replica, attemptSignal) => {
      // The attempt's signal is the generation's, which fires at its end whatever the ending:
      // the listener always runs once, and costs far less than AbortSignal.any per stream.
      if (attemptSignal.aborted) own.abort(attemptSignal.reason);
      else attemptSignal.addEventListener('abort', () => own.abort(attemptSignal.reason), { once: true });
      const stream = await kind.open(replica.client, asked, { signal: own.signal, headers });
      const first = await stream.next();
      if (first.done) throw new UpstreamError({ kind: 'broken', detail: 'stream ended before its first event' });
      return { first: first.value, stream };
    }, tried);
  };
  // What was relayed, kept only where the stream may have to go on from it.
  const keep = failover.continue && failover.max > 0;
  let relayed: Relayed = { text: '', events: 0 };
  let shift: ((event: E) => E) | undefined;
  let events: AsyncGenerator<E, void, undefined> | undefined;
  /** Set when the idle budget ran out and the stream took it up: the failure its cut read ends with. */
  let silence: UpstreamError | undefined;
  if (keep) {
    deadlines.idleTakenUp = () => {
      if (generation.continuations >= failover.max || !cut || continuationOf(generation, request, relayed, kind.continuation, tried) === undefined) return false;
      silence = new UpstreamError({ kind: 'broken', detail: 'the model server went silent mid-stream' });
      cut.abort(silence);
      return true;
    };
  }
  try {
    const opened = await open(request, retry);
    events = opened.stream;
    deadlines.started();
    generation.replica?.succeeded();
    let next: IteratorResult<E, void> = { done: false, value: opened.first };
    for (;;) {
      if (next.done) {
        // Cut, the upstream body ends too: that end must not pass for the normal one.
        if (signal.aborted) throw signal.reason;
        generation.complete();
        return;
      }
      const event = shift ? shift(next.value) : next.value;
      // Counted and charged as they arrive: a stream that is abandoned or cut pays for what
      // the server produced; the usage the last event may carry then sets the exact count.
      const text = kind.text(event);
      generation.tokenArrived(text);
      const usage = kind.usage(event);
      if (usage) generation.usageReported(usage);
      if (keep) relayed = { text: relayed.text + text, events: relayed.events + 1 };
      yield event;
      // Ended while the consumer held the last event (timeout, shutdown): the generation let go
      // of everything then, and its upstream request was aborted; its reason is this stream's end.
      if (signal.aborted) throw signal.reason;
      deadlines.awaitingToken();
      try {
        next = await events.next();
      } catch (caught) {
        // A cut for silence reads as whatever the body's reader throws on abort: the silence is the failure.
        const silent = silence !== undefined;
        const failed = silence ?? caught;
        silence = undefined;
        // What the stream ends with if it cannot go on: for silence, the idle budget's own code.
        const error = silent ? new GatewayError('UPSTREAM_TIMEOUT', 'the model server went silent mid-stream, and no other replica went on') : failed;
        const asked = keep && generation.continuations < failover.max ? continuable(failed, generation, request, relayed, kind.continuation, tried) : undefined;
        if (asked === undefined) throw error;
        // The failed body is done with; the next replica goes on where it stopped.
        void events.return().catch(() => undefined);
        events = undefined;
        generation.continuations += 1;
        // The idle budget covers the next replica's first event too.
        deadlines.awaitingToken();
        const opened = await open(asked, { ...retry, maxAttempts: 1 }).catch(() => {
          throw error; // the continuation failed: the stream ends with the original failure
        });
        events = opened.stream;
        generation.replica?.succeeded();
        const base = relayed;
        shift = (event) => kind.continuation.shifted(event, base);
        next = { done: false, value: opened.first };
      }
      deadlines.tokenArrived();
    }
  } catch (error) {
    // Before the first event attemptOnReplicas judged the failure; after it, here.
    const failure = events === undefined && relayed.events === 0 ? error : midStream(error, generation);
    generation.stop(failure);
    throw failure;
  } finally {
    // Returned at a `yield` (the consumer left): the generation ends with it. Then the
    // upstream body, if it is still open, is destroyed: the server stops generating.
    generation.stop(STOPPED_READING);
    await events?.return();
  }
}

/** The prompt's prefix blocks, hashed once per request; none when the model's routing does not look at them. */
function prefixOf<R>(generation: Generation, request: R, kind: { prompt(request: R): string }): string[] {
  return generation.model.router.wantsPrefix ? prefixBlocks(kind.prompt(request)) : [];
}

function midStream(error: unknown, generation: Generation): unknown {
  const failure = judgeFailure(error, { signal: generation.signal, expired: generation.deadlines.expired, streaming: true, modelId: generation.model.id });
  if (failure.blamesReplica) generation.replica?.failed();
  return failure.error;
}

/** What the server gets to correlate the call: our request id, and the caller's trace with a span of ours. */
function upstreamHeaders(info: RequestInfo): Record<string, string> {
  return { traceparent: childTraceparent(info.traceparent), 'x-request-id': info.requestId };
}
