// The generation service: validate → admit → pick replica → call → retry /
// time out / abort. Transports call it; it knows nothing of GraphQL or REST,
// nor of the protocol a model's servers speak (src/upstream/types.ts).
import { mayUse } from '../access/caller.ts';
import type { Config } from '../config/index.ts';
import type { Lease, LimitStore } from '../limits/types.ts';
import { badInput, GatewayError, shuttingDown } from '../errors.ts';
import type { Registry } from '../registry/registry.ts';
import type { Model } from '../registry/model.ts';
import { UpstreamError } from '../upstream/errors.ts';
import type { CallOptions, ChatDelta, ChatOutput, ChatRequest, CompletionRequest, GenerationOutput, StreamToken, TokenUsage, UpstreamClient } from '../upstream/types.ts';
import { attemptOnReplicas, type RetryPolicy } from './attempts.ts';
import { Deadlines, type TimeBudgets } from './deadlines.ts';
import { Generation } from './generation.ts';
import type { ChatInput, GenerateInput } from './input.ts';
import { rateLimited, refusalOf } from './refusals.ts';
import { NO_OBSERVER, type GenerationObserver, type RequestInfo } from './report.ts';
import { judgeFailure } from './failures.ts';
import { overloaded } from './upstream-errors.ts';
import { chatParameters, generationParameters } from './validate.ts';
import { childTraceparent } from '../lib/trace.ts';

/** A request that passed validation: nothing about it can be refused before a model server is asked. */
export interface Prepared<R> {
  readonly model: Model;
  /** Who asked (rate limits count against it), and how. */
  readonly info: RequestInfo;
  readonly request: R;
  readonly budgets: TimeBudgets;
}

export type PreparedGeneration = Prepared<CompletionRequest>;
export type PreparedChat = Prepared<ChatRequest>;

/** How one kind of request is asked of a server, and what its answer says it cost. */
interface Unary<R, T> {
  call(client: UpstreamClient, request: R, options: CallOptions): Promise<T>;
  tokens(answer: T): { generated: number; usage: TokenUsage | null };
}

interface Streamed<R, E> {
  open(client: UpstreamClient, request: R, options: CallOptions): Promise<AsyncGenerator<E, void, undefined>>;
  usage(event: E): TokenUsage | null | undefined;
}

const COMPLETION: Unary<CompletionRequest, GenerationOutput> = {
  call: (client, request, options) => client.generate(request, options),
  tokens: (output) => ({ generated: output.details.generatedTokens, usage: output.usage ?? null }),
};
const CHAT: Unary<ChatRequest, ChatOutput> = {
  call: (client, request, options) => client.chat(request, options),
  tokens: (output) => ({ generated: output.usage?.completionTokens ?? 0, usage: output.usage }),
};
const COMPLETION_STREAM: Streamed<CompletionRequest, StreamToken> = {
  open: (client, request, options) => client.generateStream(request, options),
  usage: (token) => token.usage,
};
const CHAT_STREAM: Streamed<ChatRequest, ChatDelta> = {
  open: (client, request, options) => client.chatStream(request, options),
  usage: (delta) => delta.usage,
};

/** After the drain deadline, how long cut generations get to release what they hold. */
const CUT_GRACE_MS = 1000;

export class GenerationService {
  readonly #registry: Registry;
  readonly #config: Config;
  readonly #retry: RetryPolicy;
  /** Generations under way, so that shutdown can wait for them or end them. */
  readonly #active = new Set<Generation>();
  #draining = false;
  #idle: (() => void) | undefined;

  /** Absent when every rate limit is off: nothing is counted at all. */
  readonly #limits: LimitStore | undefined;

  readonly #observer: GenerationObserver;

  constructor(registry: Registry, config: Config, options: { limits?: LimitStore | undefined; observer?: GenerationObserver } = {}) {
    this.#registry = registry;
    this.#config = config;
    this.#retry = config.retry;
    this.#limits = options.limits;
    this.#observer = options.observer ?? NO_OBSERVER;
  }

  /** Generations under way, for gauges read at scrape time. */
  get active(): ReadonlySet<Generation> {
    return this.#active;
  }

  get activeGenerations(): number {
    return this.#active.size;
  }

  /** Checks everything that can be checked before TGI is asked; a refusal is reported, then thrown. */
  async prepare(input: GenerateInput, info: RequestInfo): Promise<PreparedGeneration> {
    try {
      return await this.#prepare(input, info);
    } catch (error) {
      this.#refused(this.#registry.get(input.modelId), info, error);
      throw error;
    }
  }

  /** The same for a chat: its own input rules, then the same admission. */
  async prepareChat(input: ChatInput, info: RequestInfo): Promise<PreparedChat> {
    try {
      const model = this.#usableModel(input.modelId, info);
      const parameters = chatParameters(input, await model.limits(), model.protocol);
      const messages = input.messages.map((m) => ({ role: ROLES[m.role], content: m.content }));
      return this.#prepared(model, info, { messages, parameters });
    } catch (error) {
      this.#refused(this.#registry.get(input.modelId), info, error);
      throw error;
    }
  }

  async #prepare(input: GenerateInput, info: RequestInfo): Promise<PreparedGeneration> {
    const model = this.#usableModel(input.modelId, info);
    const parameters = generationParameters(input, await model.limits(), model.protocol);
    return this.#prepared(model, info, { prompt: input.prompt, parameters });
  }

  #usableModel(modelId: string, info: RequestInfo): Model {
    if (this.#draining) throw shuttingDown();
    // An empty id is a malformed argument, not a model that happens not to exist.
    if (modelId.length === 0) throw badInput('modelId', 'modelId cannot be empty');
    const model = this.#registry.get(modelId);
    if (!model) throw new GatewayError('MODEL_NOT_FOUND', `no model with id "${modelId}"`, { field: 'modelId' });
    if (!mayUse(info.caller, model.id)) throw new GatewayError('FORBIDDEN', `this API key may not use model "${model.id}"`);
    if (!model.configured) throw new GatewayError('MODEL_NOT_CONFIGURED', `model "${model.id}" has no endpoint configured`);
    return model;
  }

  #prepared<R>(model: Model, info: RequestInfo, request: R): Prepared<R> {
    const { upstream } = this.#config;
    return {
      model,
      info,
      request,
      budgets: {
        firstTokenMs: model.timeouts.firstTokenMs ?? upstream.firstTokenMs,
        idleMs: model.timeouts.idleMs ?? upstream.idleMs,
        totalMs: model.timeouts.totalMs ?? upstream.totalMs,
      },
    };
  }

  /** `signal` fires when the client no longer wants the result. */
  generate(prepared: PreparedGeneration, signal: AbortSignal): Promise<GenerationOutput> {
    return this.#unary(prepared, signal, COMPLETION);
  }

  chat(prepared: PreparedChat, signal: AbortSignal): Promise<ChatOutput> {
    return this.#unary(prepared, signal, CHAT);
  }

  /**
   * Tokens as the server produces them. The first event decides whether the
   * stream started (TGI reports overload in-band after HTTP 200), so retries
   * happen before it; after it, a failure ends the stream with its error.
   */
  stream(prepared: PreparedGeneration, signal: AbortSignal): AsyncGenerator<StreamToken, void, undefined> {
    return this.#stream(prepared, signal, COMPLETION_STREAM);
  }

  /** The content deltas of a chat, the same way. */
  chatStream(prepared: PreparedChat, signal: AbortSignal): AsyncGenerator<ChatDelta, void, undefined> {
    return this.#stream(prepared, signal, CHAT_STREAM);
  }

  async #unary<R, T>(prepared: Prepared<R>, signal: AbortSignal, kind: Unary<R, T>): Promise<T> {
    const generation = await this.#start(prepared, signal);
    const headers = upstreamHeaders(prepared.info);
    try {
      const output = await attemptOnReplicas(generation, this.#retry, false, (replica, attemptSignal) =>
        kind.call(replica.client, prepared.request, { signal: attemptSignal, headers }));
      generation.replica?.succeeded();
      const { generated, usage } = kind.tokens(output);
      generation.answered(usage?.completionTokens ?? generated, usage?.promptTokens ?? null);
      generation.end();
      return output;
    } catch (error) {
      // Cut by the client or a timeout while the server was generating: it does not say how
      // far it got, so the budget asked for is charged (nothing, if no replica was being asked).
      if (generation.signal.aborted && generation.askingUpstream) generation.lease?.addTokens(budgetOf(prepared.request));
      generation.end(error);
      throw error;
    }
  }

  async *#stream<R, E>(prepared: Prepared<R>, signal: AbortSignal, kind: Streamed<R, E>): AsyncGenerator<E, void, undefined> {
    const generation = await this.#start(prepared, signal);
    const headers = upstreamHeaders(prepared.info);
    let events: AsyncGenerator<E, void, undefined> | undefined;
    // A consumer busy with an event leaves this generator paused at `yield`, where
    // no `finally` can run: an abort (client gone, timeout, shutdown) releases
    // everything from here instead, and destroys the upstream body at once.
    const onAbort = () => {
      generation.end();
      void events?.return().catch(() => undefined);
    };
    generation.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const opened = await attemptOnReplicas(generation, this.#retry, true, async (replica, attemptSignal) => {
        const stream = await kind.open(replica.client, prepared.request, { signal: attemptSignal, headers });
        const first = await stream.next();
        if (first.done) throw new UpstreamError({ kind: 'broken', detail: 'stream ended before its first event' });
        return { first: first.value, stream };
      });
      events = opened.stream;
      generation.deadlines.started();
      generation.replica?.succeeded();
      // Counted and charged as they arrive: a stream that is abandoned or cut pays for what
      // the server produced; the usage the last event may carry then sets the exact count.
      generation.tokenArrived();
      let usage = kind.usage(opened.first);
      if (usage) generation.usageReported(usage);
      yield opened.first;
      for (;;) {
        // Cut while the consumer held the last event (timeout, shutdown): the upstream
        // stream was closed for it, so its end must not pass for the normal one.
        if (generation.signal.aborted) throw generation.signal.reason;
        generation.deadlines.awaitingToken();
        const next = await events.next();
        generation.deadlines.tokenArrived();
        if (next.done) {
          if (generation.signal.aborted) throw generation.signal.reason;
          return;
        }
        generation.tokenArrived();
        usage = kind.usage(next.value);
        if (usage) generation.usageReported(usage);
        yield next.value;
      }
    } catch (error) {
      const failure = midStreamFailure(error, generation, events !== undefined);
      generation.end(failure);
      throw failure;
    } finally {
      generation.signal.removeEventListener('abort', onAbort);
      generation.end();
      // A consumer that left early: destroying the body tells the server to stop.
      await events?.return();
    }
  }

  /**
   * Refuses new generations at once, lets those under way finish within
   * `drainMs`, then ends the rest with GATEWAY_SHUTTING_DOWN (aborting upstream).
   */
  async drain(drainMs: number): Promise<void> {
    this.#draining = true;
    if (this.#active.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.#idle = resolve;
      timer = setTimeout(() => {
        for (const generation of this.#active) {
          generation.deadlines.abort(shuttingDown('the gateway is shutting down; the generation was cut'));
        }
        // Each cut generation releases itself on abort; this bound is for a bug, not the plan.
        timer = setTimeout(resolve, CUT_GRACE_MS);
      }, drainMs);
    });
    clearTimeout(timer);
  }

  /** A request that ends before any model server is asked: bad input, limits, permissions, draining. */
  #refused(model: Model | undefined, request: RequestInfo, error: unknown): void {
    this.#observer.refused(refusalOf(model, request, error));
  }

  /**
   * Admits the generation (the model's cap, then the caller's rate limits, so that a
   * request the model cannot take costs the caller nothing) and starts its clock; a
   * refusal is reported.
   */
  async #start(prepared: Prepared<unknown>, signal: AbortSignal): Promise<Generation> {
    try {
      if (this.#draining) throw shuttingDown();
      // Checked and taken in one synchronous step, so concurrent requests cannot all slip in.
      if (!prepared.model.admit()) throw overloaded(prepared.model.id, 1);
      let lease: Lease | undefined;
      try {
        lease = await this.#admit(prepared, signal);
        if (this.#draining) throw shuttingDown();
      } catch (error) {
        lease?.release();
        prepared.model.leave();
        throw error;
      }
      return this.#begin(prepared, signal, lease);
    } catch (error) {
      this.#refused(prepared.model, prepared.info, error);
      throw error;
    }
  }

  /** The caller's rate limits: a lease on one generation, or RATE_LIMITED. */
  async #admit(prepared: Prepared<unknown>, signal: AbortSignal): Promise<Lease | undefined> {
    if (this.#limits === undefined) return undefined;
    const admission = await this.#limits.admit(prepared.info.caller.id);
    if (!admission.ok) throw rateLimited(admission.limit, admission.retryAfterSeconds);
    // The client may have left while Redis answered: nothing was started, nothing is held.
    if (signal.aborted) {
      admission.lease.release();
      throw signal.reason;
    }
    return admission.lease;
  }

  /** The model's slot and the lease are taken: from here the generation owns them. */
  #begin(prepared: Prepared<unknown>, signal: AbortSignal, lease: Lease | undefined): Generation {
    const generation = new Generation({
      model: prepared.model,
      request: prepared.info,
      deadlines: new Deadlines(signal, prepared.budgets),
      lease,
      onEnd: (ended, report) => {
        this.#active.delete(ended);
        this.#observer.finished(report);
        if (this.#active.size === 0) this.#idle?.();
      },
    });
    this.#active.add(generation);
    return generation;
  }
}

/** What a failure once the stream is open means; before that, attemptOnReplicas decided. */
function midStreamFailure(error: unknown, generation: Generation, started: boolean): unknown {
  if (!started) return error;
  const failure = judgeFailure(error, { signal: generation.signal, expired: generation.deadlines.expired, streaming: true, modelId: generation.model.id });
  if (failure.blamesReplica) generation.replica?.failed();
  return failure.error;
}

const ROLES = { SYSTEM: 'system', USER: 'user', ASSISTANT: 'assistant' } as const;

/** The most tokens a request may cost: what a cut generation is charged. */
function budgetOf(request: unknown): number {
  return (request as CompletionRequest | ChatRequest).parameters.maxNewTokens ?? 0;
}

/** What the server gets to correlate the call: our request id, and the caller's trace with a span of ours. */
function upstreamHeaders(info: RequestInfo): Record<string, string> {
  return { traceparent: childTraceparent(info.traceparent), 'x-request-id': info.requestId };
}
