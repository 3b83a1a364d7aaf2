// The generation service: validate → admit → pick replica → call → retry /
// time out / abort. Transports call it; it knows nothing of GraphQL or REST.
import { mayUse } from '../access/caller.ts';
import type { Config } from '../config/index.ts';
import type { Lease, LimitStore } from '../limits/types.ts';
import { badInput, GatewayError, shuttingDown } from '../errors.ts';
import type { Registry } from '../registry/registry.ts';
import type { Model } from '../registry/model.ts';
import { UpstreamError } from '../tgi/errors.ts';
import type { GenerationOutput, StreamToken } from '../tgi/types.ts';
import type { WireGenerateRequest } from '../tgi/wire.ts';
import { attemptOnReplicas, type RetryPolicy } from './attempts.ts';
import { Deadlines, type TimeBudgets } from './deadlines.ts';
import { Generation } from './generation.ts';
import type { GenerateInput } from './input.ts';
import { rateLimited, refusalReport, UNKNOWN_MODEL } from './refusals.ts';
import { NO_OBSERVER, type GenerationObserver, type RequestInfo } from './report.ts';
import { blamesReplica, fromUpstream, overloaded } from './upstream-errors.ts';
import { toWireParameters } from './validate.ts';
import { childTraceparent } from '../lib/trace.ts';

/** A request that passed validation: nothing about it can be refused before TGI is asked. */
export interface PreparedGeneration {
  readonly model: Model;
  /** Who asked (rate limits count against it), and how. */
  readonly info: RequestInfo;
  readonly request: WireGenerateRequest;
  readonly budgets: TimeBudgets;
}

type TokenStream = AsyncGenerator<StreamToken, void, undefined>;

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
      // Metrics label refusals by model: only the models that exist, or a client could mint series at will.
      this.#refused(this.#registry.get(input.modelId)?.id ?? UNKNOWN_MODEL, info, error);
      throw error;
    }
  }

  async #prepare(input: GenerateInput, info: RequestInfo): Promise<PreparedGeneration> {
    if (this.#draining) throw shuttingDown();
    // An empty id is a malformed argument, not a model that happens not to exist.
    if (input.modelId.length === 0) throw badInput('modelId', 'modelId cannot be empty');
    const model = this.#registry.get(input.modelId);
    if (!model) throw new GatewayError('MODEL_NOT_FOUND', `no model with id "${input.modelId}"`, { field: 'modelId' });
    if (!mayUse(info.caller, model.id)) throw new GatewayError('FORBIDDEN', `this API key may not use model "${model.id}"`);
    if (!model.configured) throw new GatewayError('MODEL_NOT_CONFIGURED', `model "${model.id}" has no endpoint configured`);
    const parameters = toWireParameters(input, await model.limits());
    const { upstream } = this.#config;
    return {
      model,
      info,
      request: { inputs: input.prompt, parameters },
      budgets: {
        firstTokenMs: model.timeouts.firstTokenMs ?? upstream.firstTokenMs,
        idleMs: model.timeouts.idleMs ?? upstream.idleMs,
        totalMs: model.timeouts.totalMs ?? upstream.totalMs,
      },
    };
  }

  /** `signal` fires when the client no longer wants the result. */
  async generate(prepared: PreparedGeneration, signal: AbortSignal): Promise<GenerationOutput> {
    const generation = await this.#start(prepared, signal);
    const headers = upstreamHeaders(prepared.info);
    try {
      const output = await attemptOnReplicas(generation, this.#retry, false, (replica, attemptSignal) =>
        replica.client.generate(prepared.request, { signal: attemptSignal, headers }));
      generation.replica?.succeeded();
      generation.answered(output.details.generatedTokens, null);
      generation.end();
      return output;
    } catch (error) {
      // Cut by the client or a timeout while TGI was generating: it does not say how far it
      // got, so the budget asked for is charged (nothing, if no replica was being asked).
      if (generation.signal.aborted && generation.askingUpstream) generation.lease?.addTokens(prepared.request.parameters?.max_new_tokens ?? 0);
      generation.end(error);
      throw error;
    }
  }

  /**
   * Tokens as TGI produces them. The first event decides whether the stream
   * started (TGI reports overload in-band after HTTP 200), so retries happen
   * before it; after it, a failure ends the stream with its error.
   */
  async *stream(prepared: PreparedGeneration, signal: AbortSignal): TokenStream {
    const generation = await this.#start(prepared, signal);
    const headers = upstreamHeaders(prepared.info);
    let tokens: TokenStream | undefined;
    // A consumer busy with a token leaves this generator paused at `yield`, where
    // no `finally` can run: an abort (client gone, timeout, shutdown) releases
    // everything from here instead, and destroys the upstream body at once.
    const onAbort = () => {
      generation.end();
      void tokens?.return().catch(() => undefined);
    };
    generation.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const opened = await attemptOnReplicas(generation, this.#retry, true, async (replica, attemptSignal) => {
        const stream = await replica.client.generateStream(prepared.request, { signal: attemptSignal, headers });
        const first = await stream.next();
        if (first.done) throw new UpstreamError({ kind: 'broken', detail: 'stream ended before its first event' });
        return { first: first.value, stream };
      });
      tokens = opened.stream;
      generation.deadlines.started();
      generation.replica?.succeeded();
      // Counted and charged as they arrive: a stream that is abandoned or cut pays for what TGI produced.
      generation.tokenArrived();
      yield opened.first;
      for (;;) {
        // Cut while the consumer held the last token (timeout, shutdown): the upstream
        // stream was closed for it, so its end must not pass for the normal one.
        if (generation.signal.aborted) throw generation.signal.reason;
        generation.deadlines.awaitingToken();
        const next = await tokens.next();
        generation.deadlines.tokenArrived();
        if (next.done) {
          if (generation.signal.aborted) throw generation.signal.reason;
          return;
        }
        generation.tokenArrived();
        yield next.value;
      }
    } catch (error) {
      const failure = midStreamFailure(error, generation, tokens !== undefined);
      generation.end(failure);
      throw failure;
    } finally {
      generation.signal.removeEventListener('abort', onAbort);
      generation.end();
      // A consumer that left early: destroying the body tells TGI to stop.
      await tokens?.return();
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
  #refused(model: string, request: RequestInfo, error: unknown): void {
    this.#observer.finished(refusalReport(model, request, error));
  }

  /**
   * Admits the generation (the model's cap, then the caller's rate limits, so that a
   * request the model cannot take costs the caller nothing) and starts its clock; a
   * refusal is reported.
   */
  async #start(prepared: PreparedGeneration, signal: AbortSignal): Promise<Generation> {
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
      this.#refused(prepared.model.id, prepared.info, error);
      throw error;
    }
  }

  /** The caller's rate limits: a lease on one generation, or RATE_LIMITED. */
  async #admit(prepared: PreparedGeneration, signal: AbortSignal): Promise<Lease | undefined> {
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
  #begin(prepared: PreparedGeneration, signal: AbortSignal, lease: Lease | undefined): Generation {
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
  const replica = generation.replica;
  if (generation.signal.aborted) {
    // Silence between tokens is the replica's fault; the total budget is the request's own.
    if (generation.deadlines.expired === 'idle') replica?.failed();
    return generation.signal.reason;
  }
  if (!(error instanceof UpstreamError)) return error;
  if (blamesReplica(error.failure)) replica?.failed();
  return fromUpstream(error.failure, generation.model.id);
}

/** What TGI gets to correlate the call: our request id, and the caller's trace with a span of ours. */
function upstreamHeaders(info: RequestInfo): Record<string, string> {
  return { traceparent: childTraceparent(info.traceparent), 'x-request-id': info.requestId };
}
