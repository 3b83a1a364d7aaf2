// One generation under way: the service's per-request state, in one place,
// and released in one place, whichever way the generation ends: the listener
// on its one signal (deadlines.ts). Completion and failure fire that signal
// too, so every ending takes the same path, and a stream whose consumer is
// paused at a `yield` (where no `finally` runs) lets go of everything the
// moment a budget, shutdown or the client ends it. It also keeps what the
// report of the generation needs (times, tokens, attempts), and hands that
// report over exactly once, when it ends.
import { addAbortListener } from 'node:events';
import type { Model } from '../registry/model.ts';
import type { Replica } from '../registry/replica.ts';
import type { RoutingReason } from '../registry/router.ts';
import type { Lease } from '../rate-limits/types.ts';
import { COMPLETED, type Deadlines } from './deadlines.ts';
import type { TokenUsage } from '../upstream/types.ts';
import { endingOf, type GenerationReport, type RequestInfo } from './report.ts';
import { uncountedTokens } from './token-floor.ts';

export interface GenerationParts {
  readonly model: Model;
  readonly request: RequestInfo;
  readonly deadlines: Deadlines;
  /** The caller's rate-limit lease, when limits are on: tokens are charged to it. */
  readonly lease: Lease | undefined;
  /** Tokens charged when the generation is cut while a server is generating: it does not say how far it got. */
  readonly cutCharge: number;
  /** Called once, at the end, with the released generation's report. */
  readonly onEnd: (generation: Generation, report: GenerationReport) => void;
}

export class Generation {
  readonly model: Model;
  readonly request: RequestInfo;
  readonly deadlines: Deadlines;
  readonly lease: Lease | undefined;
  /** Attempts made so far (retries and continuations included). */
  attempts = 0;
  /** Times the stream went on from another replica after its own failed. */
  continuations = 0;
  /** A replica is being asked right now (not between attempts). */
  askingUpstream = false;
  /** Why the last attempt's replica was chosen. */
  routing: RoutingReason | undefined;
  readonly #cutCharge: number;
  readonly #onEnd: GenerationParts['onEnd'];
  readonly #startedAt = performance.now();
  #firstTokenAt: number | undefined;
  #tokens = 0;
  /** Tokens charged to the lease for the answer (the floor not yet applied). */
  #charged = 0;
  /** Characters of generated text received: the floor of an answer no server counted. */
  #characters = 0;
  /** The server counted the answer's tokens itself (usage, or TGI's generated_tokens). */
  #counted = false;
  #promptTokens: number | null = null;
  #replica: Replica | undefined;

  /** `model.admit()` must have succeeded: the generation owns that slot from now on. */
  constructor(parts: GenerationParts) {
    this.model = parts.model;
    this.request = parts.request;
    this.deadlines = parts.deadlines;
    this.lease = parts.lease;
    this.#cutCharge = parts.cutCharge;
    this.#onEnd = parts.onEnd;
    // Fired already (the client left as admission answered), it still releases: in a microtask.
    addAbortListener(this.signal, this.#release);
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

  /** Its replica failed mid-stream and another goes on: that one's slot is free now. */
  letGo(): void {
    this.#replica?.release();
    this.#replica = undefined;
  }

  get ended(): boolean {
    return this.signal.aborted;
  }

  /** One event of a stream arrived from upstream, with its text: timed, counted and charged to the caller. */
  tokenArrived(text: string): void {
    this.#firstTokenAt ??= performance.now();
    this.#tokens += 1;
    this.#characters += text.length;
    this.#charge(1);
  }

  /**
   * The server counted the tokens itself (a stream's last event): its count
   * replaces the events counted, and what they missed is charged.
   */
  usageReported(usage: TokenUsage): void {
    const missed = usage.completionTokens - this.#tokens;
    if (missed > 0) this.#charge(missed);
    this.#tokens = usage.completionTokens;
    this.#promptTokens = usage.promptTokens;
    this.#counted = true;
  }

  /**
   * A unary answer arrived: `counted` is the server's own count of its tokens,
   * null when it gave none (the text then sets the charge, at the end).
   */
  answered(text: string, counted: number | null, promptTokens: number | null): void {
    this.#firstTokenAt ??= performance.now();
    this.#characters += text.length;
    this.#promptTokens = promptTokens;
    if (counted === null) return;
    this.#tokens += counted;
    this.#counted = true;
    this.#charge(counted);
  }

  #charge(tokens: number): void {
    this.#charged += tokens;
    this.lease?.addTokens(tokens);
  }

  /**
   * Every answer, unary or streamed, of every protocol, ends here: one its
   * server did not count is charged its floor (token-floor.ts), less what its
   * events were charged already.
   */
  #chargeUncounted(): void {
    if (this.#counted) return;
    const floor = uncountedTokens(this.#characters, this.#tokens);
    if (floor > this.#charged) this.#charge(floor - this.#charged);
  }

  /** The answer is whole: the generation ends as completed. */
  complete(): void {
    this.deadlines.end(COMPLETED);
  }

  /** Ends the generation with `reason` (a failure, a consumer that left); nothing once it has ended. */
  stop(reason: unknown): void {
    this.deadlines.end(reason);
  }

  /** Clears the timers, frees the model's, the replica's and the caller's slots, and reports how it went. */
  readonly #release = (): void => {
    this.deadlines.dispose();
    if (this.askingUpstream) this.lease?.addTokens(this.#cutCharge);
    this.#chargeUncounted();
    this.#replica?.release();
    this.model.leave();
    this.lease?.release();
    const reason: unknown = this.signal.reason;
    const now = performance.now();
    this.#onEnd(this, {
      request: this.request,
      model: this.model.id,
      protocol: this.model.protocol,
      replica: this.#replica?.url,
      routing: this.routing,
      ...endingOf(reason === COMPLETED ? undefined : reason),
      attempts: this.attempts,
      continuations: this.continuations,
      promptTokens: this.#promptTokens,
      generatedTokens: this.#tokens,
      timeToFirstTokenMs: this.#firstTokenAt === undefined ? null : this.#firstTokenAt - this.#startedAt,
      totalMs: now - this.#startedAt,
    });
  };
}
