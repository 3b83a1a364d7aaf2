// Everything decided before a model server is asked: which model, whether the
// caller may use it, whether the input suits it (validate.ts), its time
// budgets, and whether it may begin now (the gateway is not draining, the
// model has room, the caller is within its rate limits). Each refusal is
// reported to the observer, then thrown.
import { mayUse } from '../access/caller.ts';
import { badInput, GatewayError, shuttingDown } from '../errors.ts';
import type { Lease, RateLimitStore } from '../rate-limits/types.ts';
import type { Model } from '../registry/model.ts';
import type { ChatRequest, CompletionRequest } from '../upstream/types.ts';
import type { TimeBudgets } from './deadlines.ts';
import type { Generations } from './generations.ts';
import type { ChatInput, GenerateInput } from './input.ts';
import { rateLimited, refusalOf } from './refusals.ts';
import type { GenerationObserver, RequestInfo } from './report.ts';
import { overloaded } from './upstream-errors.ts';
import { chatMessages, toolFields, type AnswerChecks } from './tool-rules.ts';
import { chatParameters, generationParameters } from './validate.ts';

/** A request that passed validation: nothing about it can be refused before a model server is asked. */
export interface Prepared<R> {
  readonly model: Model;
  /** Who asked (rate limits count against it), and how. */
  readonly info: RequestInfo;
  readonly request: R;
  readonly budgets: TimeBudgets;
}

export type PreparedGeneration = Prepared<CompletionRequest>;
/** A chat also knows what its answer will be checked against. */
export type PreparedChat = Prepared<ChatRequest> & { readonly checks: AnswerChecks };

/** The models requests name, by id. */
export interface ModelCatalog {
  get(id: string): Model | undefined;
}

export interface AdmissionSettings {
  /** The budgets of a model that sets none of its own. */
  readonly budgets: TimeBudgets;
  /** Absent when every rate limit is off: nothing is counted at all. */
  readonly rateLimits: RateLimitStore | undefined;
  readonly observer: GenerationObserver;
}

export class Admission {
  readonly #models: ModelCatalog;
  readonly #generations: Generations;
  readonly #settings: AdmissionSettings;

  constructor(models: ModelCatalog, generations: Generations, settings: AdmissionSettings) {
    this.#models = models;
    this.#generations = generations;
    this.#settings = settings;
  }

  /** Checks everything that can be checked before the generation is admitted. */
  async prepare(input: GenerateInput, info: RequestInfo): Promise<PreparedGeneration> {
    try {
      const model = this.#usableModel(input.modelId, info);
      const parameters = generationParameters(input, await model.serverLimits(), model.dialect);
      return this.#prepared(model, info, { prompt: input.prompt, parameters });
    } catch (error) {
      throw this.#refused(this.#models.get(input.modelId), info, error);
    }
  }

  /** The same for a chat: its own input rules. */
  async prepareChat(input: ChatInput, info: RequestInfo): Promise<PreparedChat> {
    try {
      const model = this.#usableModel(input.modelId, info);
      const parameters = chatParameters(input, await model.serverLimits(), model.dialect);
      const messages = chatMessages(input.messages);
      const { fields, checks } = await toolFields(input, { tools: model.tools, toolsWithJsonFormat: model.dialect.toolsWithJsonFormat, serverKind: model.dialect.serverKind });
      return { ...this.#prepared(model, info, { messages, parameters, ...fields }), checks };
    } catch (error) {
      throw this.#refused(this.#models.get(input.modelId), info, error);
    }
  }

  /**
   * Takes the model's slot, then the caller's lease (so that a request the model
   * cannot take costs the caller nothing), or refuses. `signal` is the
   * generation's: fired meanwhile, nothing is held and the refusal says why.
   */
  async admit(prepared: Prepared<unknown>, signal: AbortSignal): Promise<Lease | undefined> {
    const { model } = prepared;
    try {
      if (this.#generations.draining) throw shuttingDown();
      // Checked and taken in one synchronous step, so concurrent requests cannot all slip in.
      if (!model.admit()) throw overloaded(model.id, 1);
      let lease: Lease | undefined;
      try {
        lease = await this.#lease(prepared.info);
        if (this.#generations.draining) throw shuttingDown();
        // The client may have left while Redis answered: nothing was started, nothing is held.
        if (signal.aborted) throw signal.reason;
        return lease;
      } catch (error) {
        lease?.release();
        model.leave();
        throw error;
      }
    } catch (error) {
      throw this.#refused(model, prepared.info, error);
    }
  }

  #usableModel(modelId: string, info: RequestInfo): Model {
    if (this.#generations.draining) throw shuttingDown();
    // An empty id is a malformed argument, not a model that happens not to exist.
    if (modelId.length === 0) throw badInput('modelId', 'modelId cannot be empty');
    const model = this.#models.get(modelId);
    if (!model) throw new GatewayError('MODEL_NOT_FOUND', `no model with id "${modelId}"`, { field: 'modelId' });
    if (!mayUse(info.caller, model.id)) throw new GatewayError('FORBIDDEN', `this API key may not use model "${model.id}"`);
    if (!model.configured) throw new GatewayError('MODEL_NOT_CONFIGURED', `model "${model.id}" has no endpoint configured`);
    return model;
  }

  #prepared<R>(model: Model, info: RequestInfo, request: R): Prepared<R> {
    const defaults = this.#settings.budgets;
    return {
      model,
      info,
      request,
      budgets: {
        firstTokenMs: model.timeouts.firstTokenMs ?? defaults.firstTokenMs,
        idleMs: model.timeouts.idleMs ?? defaults.idleMs,
        totalMs: model.timeouts.totalMs ?? defaults.totalMs,
      },
    };
  }

  /** The caller's rate limits: a lease on one generation, or RATE_LIMITED. */
  async #lease(info: RequestInfo): Promise<Lease | undefined> {
    const { rateLimits } = this.#settings;
    if (rateLimits === undefined) return undefined;
    const admission = await rateLimits.admit(info.caller.id);
    if (!admission.ok) throw rateLimited(admission.limit, admission.retryAfterSeconds);
    return admission.lease;
  }

  /** Reported, then thrown: a request that ends before any model server is asked. */
  #refused(model: Model | undefined, request: RequestInfo, error: unknown): unknown {
    this.#settings.observer.refused(refusalOf(model, request, error));
    return error;
  }
}
