// The time budgets of one generation, folded into the one AbortSignal that
// reaches undici. It fires when the client goes away (with the client's
// reason) or when a budget runs out (with an UPSTREAM_TIMEOUT GatewayError).
import { GatewayError } from '../errors.ts';

export interface TimeBudgets {
  /** From the start to the first token (or the unary answer), retries included. */
  firstTokenMs: number;
  /** Longest wait for the next token; time spent waiting on a slow client does not count. */
  idleMs: number;
  /** The whole generation. */
  totalMs: number;
}

/** Which budget ended the generation, if one did. */
export type Expiry = 'firstToken' | 'idle' | 'total' | 'shutdown';

export class Deadlines {
  readonly signal: AbortSignal;
  #expired: Expiry | undefined;
  readonly #controller = new AbortController();
  readonly #client: AbortSignal;
  readonly #budgets: TimeBudgets;
  readonly #total: NodeJS.Timeout;
  #firstToken: NodeJS.Timeout | undefined;
  #idle: NodeJS.Timeout | undefined;
  #waiting = false;
  #disposed = false;

  constructor(client: AbortSignal, budgets: TimeBudgets) {
    this.signal = this.#controller.signal;
    this.#client = client;
    this.#budgets = budgets;
    if (client.aborted) this.#controller.abort(client.reason);
    else client.addEventListener('abort', this.#onClientAbort, { once: true });
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

  /** About to wait for the next token from upstream. */
  awaitingToken(): void {
    if (this.#disposed) return;
    this.#waiting = true;
    if (this.#idle) this.#idle.refresh();
    else this.#idle = setTimeout(this.#onIdle, this.#budgets.idleMs);
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

  /** Clears every timer and listener; call once the generation is over, however it ended. */
  dispose(): void {
    this.#disposed = true;
    clearTimeout(this.#total);
    clearTimeout(this.#firstToken);
    clearTimeout(this.#idle);
    this.#client.removeEventListener('abort', this.#onClientAbort);
  }

  readonly #onClientAbort = (): void => {
    this.#controller.abort(this.#client.reason);
  };

  // The timer is refreshed at each wait; firing while no wait is under way means
  // the last wait ended in time and the client has been slow since.
  readonly #onIdle = (): void => {
    if (this.#waiting) this.#expire('idle', `the model server sent nothing for ${this.#budgets.idleMs} ms`);
  };

  #expire(budget: Expiry, message: string): void {
    if (this.signal.aborted) return;
    this.#expired = budget;
    this.#controller.abort(new GatewayError('UPSTREAM_TIMEOUT', message));
  }
}
