// The one AbortController of a generation, and the time budgets that may fire
// it. Its signal is the one that reaches undici, and it fires once, when the
// generation is over, however that happens: the operation's signal (the client
// left), end() (the consumer stopped reading, a failure, or completion), a
// budget that ran out (UPSTREAM_TIMEOUT), or abort() at shutdown. Whatever the
// generation holds is released by that one event (generation.ts).
import { GatewayError } from '../errors.ts';

export interface TimeBudgets {
  /** From the start to the first token (or the unary answer), admission and retries included. */
  firstTokenMs: number;
  /** Longest wait for the next token; time spent waiting on a slow client does not count. */
  idleMs: number;
  /** The whole generation. */
  totalMs: number;
}

/** Which budget ended the generation, if one did. */
export type Expiry = 'firstToken' | 'idle' | 'total' | 'shutdown';

/**
 * The reason a generation that completed ends with. Nothing upstream listens
 * any more by then (the answer was read to its end); an Error all the same, in
 * case a listener does take it for one.
 */
export const COMPLETED = new Error('the generation completed');

export class Deadlines {
  readonly signal: AbortSignal;
  #expired: Expiry | undefined;
  readonly #controller = new AbortController();
  readonly #operation: AbortSignal;
  readonly #budgets: TimeBudgets;
  readonly #total: NodeJS.Timeout;
  #firstToken: NodeJS.Timeout | undefined;
  /** Armed while a wait may be under way; it checks the wait when it fires (see #onIdle). */
  #idle: NodeJS.Timeout | undefined;
  #waiting = false;
  /** When the wait under way began (performance.now()). */
  #waitingSince = 0;
  #disposed = false;
  /**
   * Asked when the idle budget runs out while a token is awaited: true when
   * the stream takes the silence up itself (it goes on from another replica),
   * and the generation does not expire; the next wait starts the budget again.
   */
  idleTakenUp: (() => boolean) | undefined;

  /** `operation` fires when the client no longer wants the result; the transport makes it. */
  constructor(operation: AbortSignal, budgets: TimeBudgets) {
    this.signal = this.#controller.signal;
    this.#operation = operation;
    this.#budgets = budgets;
    // A listener, not AbortSignal.any: it costs a fraction as much per generation, and dispose()
    // can take it back, so that nothing fires a generation once it is over.
    if (operation.aborted) this.#controller.abort(operation.reason);
    else operation.addEventListener('abort', this.#onOperationAbort, { once: true });
    this.#total = setTimeout(() => this.#expire('total', `the generation took longer than ${budgets.totalMs} ms`), budgets.totalMs);
    this.#firstToken = setTimeout(
      () => this.#expire('firstToken', `the model server sent no token within ${budgets.firstTokenMs} ms`),
      budgets.firstTokenMs,
    );
  }

  get expired(): Expiry | undefined {
    return this.#expired;
  }

  /** The first token (or the unary answer) is in: from now on the idle budget applies. */
  started(): void {
    clearTimeout(this.#firstToken);
    this.#firstToken = undefined;
  }

  /**
   * About to wait for the next token from upstream. Called for every token: it
   * only notes the time, and the one idle timer, armed for the whole stream,
   * judges the wait under way when it fires (a timer moved per token costs more
   * than the rest of the token's bookkeeping).
   */
  awaitingToken(): void {
    if (this.#disposed) return;
    this.#waiting = true;
    this.#waitingSince = performance.now();
    this.#idle ??= setTimeout(this.#onIdle, this.#budgets.idleMs);
  }

  /** A token arrived; whatever the client does with it now is not upstream idleness. */
  tokenArrived(): void {
    this.#waiting = false;
  }

  /** Ends the generation for a reason of the gateway's own (shutdown). */
  abort(reason: GatewayError): void {
    if (this.signal.aborted) return;
    this.#expired = 'shutdown';
    this.#controller.abort(reason);
  }

  /** Ends the generation with `reason` (COMPLETED, a failure, a consumer that left); the first reason stands. */
  end(reason: unknown): void {
    this.#controller.abort(reason);
  }

  /** Clears every timer and listener; call once the generation is over, however it ended. */
  dispose(): void {
    this.#disposed = true;
    clearTimeout(this.#total);
    clearTimeout(this.#firstToken);
    clearTimeout(this.#idle);
    this.#operation.removeEventListener('abort', this.#onOperationAbort);
  }

  readonly #onOperationAbort = (): void => {
    this.#controller.abort(this.#operation.reason);
  };

  // Firing while no wait is under way means the last wait ended in time and the client has
  // been slow since: the next wait arms it again. A wait that began since it was armed gets
  // the rest of its budget. A wait that used it all expires, unless the stream takes it up
  // (it goes on from another replica, whose first wait arms it again).
  readonly #onIdle = (): void => {
    this.#idle = undefined;
    if (!this.#waiting || this.#disposed) return;
    const left = this.#waitingSince + this.#budgets.idleMs - performance.now();
    if (left >= 1) this.#idle = setTimeout(this.#onIdle, left);
    else if (!this.idleTakenUp?.()) this.#expire('idle', `the model server sent nothing for ${this.#budgets.idleMs} ms`);
  };

  #expire(budget: Expiry, message: string): void {
    if (this.signal.aborted) return;
    this.#expired = budget;
    this.#controller.abort(new GatewayError('UPSTREAM_TIMEOUT', message));
  }
}
