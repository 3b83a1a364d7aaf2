// One generation under way: the service's per-request state, in one place,
// and released in one place, whichever way the generation ends. It also keeps
// what the report of the generation needs (times, tokens, attempts), and
// hands that report over exactly once, when the generation ends.
import type { Model } from '../registry/model.ts';
import type { Replica } from '../registry/replica.ts';
import type { Lease } from '../limits/types.ts';
import type { Deadlines } from './deadlines.ts';
import type { TokenUsage } from '../upstream/types.ts';
import { endingOf, type GenerationReport, type RequestInfo } from './report.ts';

export interface GenerationParts {
  readonly model: Model;
  readonly request: RequestInfo;
  readonly deadlines: Deadlines;
  /** The caller's rate-limit lease, when limits are on: tokens are charged to it. */
  readonly lease: Lease | undefined;
  /** Called once, at the end, with the released generation's report. */
  readonly onEnd: (generation: Generation, report: GenerationReport) => void;
}

export class Generation {
  readonly model: Model;
  readonly request: RequestInfo;
  readonly deadlines: Deadlines;
  readonly lease: Lease | undefined;
  /** Attempts made so far (retries included). */
  attempts = 0;
  /** A replica is being asked right now (not between attempts). */
  askingUpstream = false;
  readonly #onEnd: GenerationParts['onEnd'];
  readonly #startedAt = performance.now();
  #firstTokenAt: number | undefined;
  #tokens = 0;
  #promptTokens: number | null = null;
  #replica: Replica | undefined;
  #ended = false;

  /** `model.admit()` must have succeeded: the generation owns that slot from now on. */
  constructor(parts: GenerationParts) {
    this.model = parts.model;
    this.request = parts.request;
    this.deadlines = parts.deadlines;
    this.lease = parts.lease;
    this.#onEnd = parts.onEnd;
  }

  get signal(): AbortSignal {
    return this.deadlines.signal;
  }

  get replica(): Replica | undefined {
    return this.#replica;
  }

  /** The replica that answered keeps its in-flight slot until the end. */
  hold(replica: Replica): void {
    this.#replica = replica;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** One token of a stream arrived from upstream: timed, counted and charged to the caller. */
  tokenArrived(): void {
    this.#firstTokenAt ??= performance.now();
    this.#tokens += 1;
    this.lease?.addTokens(1);
  }

  /**
   * The server counted the tokens itself (a stream's last event): its count
   * replaces the events counted, and what they missed is charged.
   */
  usageReported(usage: TokenUsage): void {
    const missed = usage.completionTokens - this.#tokens;
    if (missed > 0) this.lease?.addTokens(missed);
    this.#tokens = usage.completionTokens;
    this.#promptTokens = usage.promptTokens;
  }

  /** A unary answer arrived with this many tokens. */
  answered(generatedTokens: number, promptTokens: number | null): void {
    this.#firstTokenAt ??= performance.now();
    this.#tokens += generatedTokens;
    this.#promptTokens = promptTokens;
    this.lease?.addTokens(generatedTokens);
  }

  /**
   * Clears the timers, frees the model's, the replica's and the caller's slots
   * and reports how it went (`error` undefined: it completed); only the first call counts.
   */
  end(error?: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.deadlines.dispose();
    this.#replica?.release();
    this.model.leave();
    this.lease?.release();
    const now = performance.now();
    this.#onEnd(this, {
      request: this.request,
      model: this.model.id,
      protocol: this.model.protocol,
      replica: this.#replica?.url,
      ...endingOf(error ?? (this.signal.aborted ? this.signal.reason : undefined)),
      attempts: this.attempts,
      promptTokens: this.#promptTokens,
      generatedTokens: this.#tokens,
      timeToFirstTokenMs: this.#firstTokenAt === undefined ? null : this.#firstTokenAt - this.#startedAt,
      totalMs: now - this.#startedAt,
    });
  }
}
