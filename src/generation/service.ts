// The generation service: what transports call, whatever their protocol. A
// request is prepared (admission.ts: model, permission, input, budgets), then
// each generation gets its one signal (deadlines.ts), is admitted, and runs
// (running.ts) among the generations under way (generations.ts). It knows
// nothing of GraphQL or REST, nor of the protocol a model's servers speak.
import type { RateLimitStore } from '../rate-limits/types.ts';
import type { GenerationOutput, SamplingParameters, StreamToken } from '../upstream/types.ts';
import { Admission, type ModelCatalog, type Prepared, type PreparedChat, type PreparedGeneration } from './admission.ts';
import { checkAnswer } from './answer-checks.ts';
import { answerReport } from './answer-report.ts';
import type { AnswerVerdict } from './answer-verdict.ts';
import type { RetryPolicy } from './attempts.ts';
import type { ChatAnswer, ChatEvent } from './chat-answer.ts';
import { NO_FAILOVER, type FailoverPolicy } from './continuation.ts';
import { Deadlines, type TimeBudgets } from './deadlines.ts';
import type { Generation } from './generation.ts';
import { Generations } from './generations.ts';
import type { ChatInput, GenerateInput } from './input.ts';
import { NO_OBSERVER, type GenerationObserver, type RequestInfo } from './report.ts';
import { CHAT, CHAT_STREAM, COMPLETION, COMPLETION_STREAM, runStream, runUnary, type Streamed, type Unary } from './running.ts';
import { typedChatStream } from './typed-stream.ts';

/** A generation's events as the server produces them, pulled one at a time. */
export interface GenerationStream<E> extends AsyncGenerator<E, void, undefined> {
  /**
   * Ends the generation now with `reason`, even while a read is pending (a
   * native generator's return() would wait for that read): its upstream
   * request is aborted at once. A stream not yet read never starts.
   */
  cancel(reason: unknown): void;
}

export interface GenerationSettings {
  readonly retry: RetryPolicy;
  /** The budgets of a model that sets none of its own. */
  readonly budgets: TimeBudgets;
  /** Absent when every rate limit is off: nothing is counted at all. */
  readonly rateLimits?: RateLimitStore | undefined;
  readonly observer?: GenerationObserver;
  /** Whether and how often a stream goes on from another replica after its own failed (absent: never). */
  readonly failover?: FailoverPolicy;
}

/** Requests that say how many tokens they may cost. */
type Bounded = { readonly parameters: SamplingParameters };

export class GenerationService {
  readonly #generations: Generations;
  readonly #admission: Admission;
  readonly #retry: RetryPolicy;
  readonly #failover: FailoverPolicy;
  readonly #observer: GenerationObserver;

  constructor(models: ModelCatalog, settings: GenerationSettings) {
    const observer = settings.observer ?? NO_OBSERVER;
    this.#observer = observer;
    this.#generations = new Generations(observer);
    this.#admission = new Admission(models, this.#generations, { budgets: settings.budgets, rateLimits: settings.rateLimits, observer });
    this.#retry = settings.retry;
    this.#failover = settings.failover ?? NO_FAILOVER;
  }

  /** Generations under way, for gauges read at scrape time. */
  get active(): ReadonlySet<Generation> {
    return this.#generations.active;
  }

  get activeGenerations(): number {
    return this.#generations.active.size;
  }

  /** Checks everything that can be checked before a model server is asked; a refusal is reported, then thrown. */
  prepare(input: GenerateInput, info: RequestInfo): Promise<PreparedGeneration> {
    return this.#admission.prepare(input, info);
  }

  prepareChat(input: ChatInput, info: RequestInfo): Promise<PreparedChat> {
    return this.#admission.prepareChat(input, info);
  }

  /** `signal` is the operation's: it fires when the client no longer wants the result. */
  generate(prepared: PreparedGeneration, signal: AbortSignal): Promise<GenerationOutput> {
    return this.#unary(prepared, signal, COMPLETION);
  }

  /** The answer checked against the schemas the client sent. */
  async chat(prepared: PreparedChat, signal: AbortSignal): Promise<ChatAnswer> {
    const { answer, verdict } = await checkAnswer(await this.#unary(prepared, signal, CHAT), prepared.checks);
    this.#tellVerdict(prepared, verdict);
    return answer;
  }

  generateStream(prepared: PreparedGeneration, signal: AbortSignal): GenerationStream<StreamToken> {
    return this.#stream(prepared, signal, COMPLETION_STREAM);
  }

  /** Typed as it fills in; the last event carries the calls checked as chat's are. */
  chatStream(prepared: PreparedChat, signal: AbortSignal): GenerationStream<ChatEvent> {
    return typedChatStream(this.#stream(prepared, signal, CHAT_STREAM), prepared.checks, (verdict) => this.#tellVerdict(prepared, verdict));
  }

  /** Refuses new generations, lets those under way finish within `drainMs`, then cuts the rest. */
  drain(drainMs: number): Promise<void> {
    return this.#generations.drain(drainMs);
  }

  async #unary<R extends Bounded, T>(prepared: Prepared<R>, signal: AbortSignal, kind: Unary<R, T>): Promise<T> {
    // A unary answer does not say how far a cut server got: the budget asked for is charged.
    const generation = await this.#begin(prepared, new Deadlines(signal, prepared.budgets), prepared.request.parameters.maxNewTokens ?? 0);
    return runUnary(generation, prepared.request, kind, this.#retry);
  }

  #stream<R, E>(prepared: Prepared<R>, signal: AbortSignal, kind: Streamed<R, E>): GenerationStream<E> {
    let deadlines: Deadlines | undefined;
    // The generation's one signal exists from the first read on, so that cancel() reaches it
    // during admission too. A stream charges its tokens as they come: nothing more when cut.
    const begin = () => this.#begin(prepared, (deadlines = new Deadlines(signal, prepared.budgets)), 0);
    const events = runStream(begin, prepared.request, kind, this.#retry, this.#failover);
    return Object.assign(events, {
      cancel(reason: unknown): void {
        if (deadlines) deadlines.end(reason);
        else void events.return();
      },
    });
  }

  #tellVerdict(prepared: PreparedChat, verdict: AnswerVerdict): void {
    const answer = answerReport(prepared, verdict);
    if (answer) this.#observer.checked(answer);
  }

  async #begin(prepared: Prepared<unknown>, deadlines: Deadlines, cutCharge: number): Promise<Generation> {
    try {
      const lease = await this.#admission.admit(prepared, deadlines.signal);
      return this.#generations.begin({ model: prepared.model, request: prepared.info, deadlines, lease, cutCharge });
    } catch (error) {
      // Refused: it never began, and its budgets stop here.
      deadlines.dispose();
      throw error;
    }
  }
}
