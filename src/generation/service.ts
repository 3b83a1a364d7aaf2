// The generation service: validate → pick replica → call → retry / time out /
// abort. Transports call it; it knows nothing of GraphQL or REST.
import type { Config } from '../config/index.ts';
import { GatewayError } from '../errors.ts';
import type { Model } from '../registry/model.ts';
import type { Registry } from '../registry/registry.ts';
import { UpstreamError } from '../tgi/errors.ts';
import type { GenerationOutput, StreamToken } from '../tgi/types.ts';
import type { WireGenerateRequest } from '../tgi/wire.ts';
import { attemptOnReplicas, blameTimeout, type Attempt, type RetryPolicy } from './attempts.ts';
import { Deadlines, type TimeBudgets } from './deadlines.ts';
import type { GenerateInput } from './input.ts';
import { blamesReplica, fromUpstream, overloaded } from './upstream-errors.ts';
import { toWireParameters } from './validate.ts';

/** A request that passed validation: nothing about it can be refused before TGI is asked. */
export interface PreparedGeneration {
  readonly model: Model;
  readonly request: WireGenerateRequest;
  readonly budgets: TimeBudgets;
}

export interface CallContext {
  /** Fires when the client no longer wants the result. */
  signal: AbortSignal;
  requestId?: string;
}

export class GenerationService {
  readonly #registry: Registry;
  readonly #config: Config;
  readonly #retry: RetryPolicy;
  /** Generations under way, so that shutdown can wait for them or end them. */
  readonly #active = new Set<Deadlines>();
  #draining = false;
  #idle: (() => void) | undefined;

  constructor(registry: Registry, config: Config) {
    this.#registry = registry;
    this.#config = config;
    this.#retry = config.retry;
  }

  get activeGenerations(): number {
    return this.#active.size;
  }

  async prepare(input: GenerateInput): Promise<PreparedGeneration> {
    if (this.#draining) throw SHUTTING_DOWN();
    const model = this.#registry.get(input.modelId);
    if (!model) throw new GatewayError('MODEL_NOT_FOUND', `no model with id "${input.modelId}"`, { field: 'modelId' });
    if (!model.configured) throw new GatewayError('MODEL_NOT_CONFIGURED', `model "${model.id}" has no endpoint configured`);
    const parameters = toWireParameters(input, await model.limits());
    const { upstream } = this.#config;
    return {
      model,
      request: { inputs: input.prompt, parameters },
      budgets: {
        firstTokenMs: model.timeouts.firstTokenMs ?? upstream.firstTokenMs,
        idleMs: model.timeouts.idleMs ?? upstream.idleMs,
        totalMs: model.timeouts.totalMs ?? upstream.totalMs,
      },
    };
  }

  async generate(prepared: PreparedGeneration, context: CallContext): Promise<GenerationOutput> {
    const { model, request } = prepared;
    this.#admit(model);
    const deadlines = this.#begin(context, prepared);
    const headers = upstreamHeaders(context);
    try {
      const attempt = await attemptOnReplicas(model, this.#retry, deadlines.signal, (replica, signal) =>
        replica.client.generate(request, { signal, headers }));
      attempt.release();
      attempt.replica.succeeded();
      return attempt.value;
    } finally {
      this.#end(deadlines);
    }
  }

  /**
   * Tokens as TGI produces them. The first event decides whether the stream
   * started (TGI reports overload in-band after HTTP 200), so retries happen
   * before it; after it, a failure ends the stream with its error.
   */
  async *stream(prepared: PreparedGeneration, context: CallContext): AsyncGenerator<StreamToken, void, undefined> {
    const { model, request } = prepared;
    this.#admit(model);
    const deadlines = this.#begin(context, prepared);
    const headers = upstreamHeaders(context);
    let attempt: Attempt<Opened> | undefined;
    try {
      attempt = await attemptOnReplicas(model, this.#retry, deadlines.signal, async (replica, signal) => {
        const tokens = await replica.client.generateStream(request, { signal, headers });
        const first = await tokens.next();
        if (first.done) throw new UpstreamError({ kind: 'broken', detail: 'stream ended before its first event' });
        return { first: first.value, tokens };
      });
      deadlines.started();
      attempt.replica.succeeded();
      yield attempt.value.first;
      const { tokens } = attempt.value;
      for (;;) {
        deadlines.awaitingToken();
        const next = await tokens.next();
        deadlines.tokenArrived();
        if (next.done) return;
        yield next.value;
      }
    } catch (error) {
      throw midStreamFailure(error, deadlines.signal, attempt, model);
    } finally {
      this.#end(deadlines);
      attempt?.release();
      // A consumer that left early: destroying the body tells TGI to stop.
      await attempt?.value.tokens.return();
    }
  }

  /**
   * Refuses new generations at once, lets those under way finish within
   * `drainMs`, then ends the rest with GATEWAY_SHUTTING_DOWN (aborting upstream).
   */
  async drain(drainMs: number): Promise<void> {
    this.#draining = true;
    if (this.#active.size > 0) {
      const idle = new Promise<void>((resolve) => (this.#idle = resolve));
      const timer = setTimeout(() => {
        for (const deadlines of this.#active) deadlines.abort(SHUTTING_DOWN('the gateway is shutting down; the generation was cut'));
      }, drainMs);
      await idle;
      clearTimeout(timer);
    }
  }

  #begin(context: CallContext, prepared: PreparedGeneration): Deadlines {
    if (this.#draining) throw SHUTTING_DOWN();
    const deadlines = new Deadlines(context.signal, prepared.budgets);
    this.#active.add(deadlines);
    return deadlines;
  }

  #end(deadlines: Deadlines): void {
    deadlines.dispose();
    this.#active.delete(deadlines);
    if (this.#active.size === 0) this.#idle?.();
  }

  /**
   * Refuses before TGI has to, once this gateway alone fills the model's capacity.
   * Synchronous up to the first attempt taking its slot, so concurrent requests cannot all slip in.
   */
  #admit(model: Model): void {
    const cap = model.maxConcurrent();
    if (cap === undefined) return;
    let inFlight = 0;
    for (const replica of model.replicas) inFlight += replica.inFlight;
    if (inFlight >= cap) throw overloaded(model.id, 1);
  }
}

const SHUTTING_DOWN = (message = 'the gateway is shutting down; retry on another instance') =>
  new GatewayError('GATEWAY_SHUTTING_DOWN', message);

interface Opened {
  first: StreamToken;
  tokens: AsyncGenerator<StreamToken, void, undefined>;
}

function midStreamFailure(error: unknown, signal: AbortSignal, attempt: Attempt<Opened> | undefined, model: Model): unknown {
  if (!attempt) return error; // attemptOnReplicas already decided what it means
  if (signal.aborted) return blameTimeout(signal.reason, attempt.replica);
  if (!(error instanceof UpstreamError)) return error;
  if (blamesReplica(error.failure)) attempt.replica.failed();
  return fromUpstream(error.failure, model.id);
}

function upstreamHeaders(context: CallContext): Record<string, string> | undefined {
  return context.requestId === undefined ? undefined : { 'x-request-id': context.requestId };
}
