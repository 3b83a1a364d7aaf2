// One generation request from acceptance to its end, whichever way it ends. Noticing that
// the client left (the response's 'close' before we settled) stops everything at once and
// frees the concurrency permit, as TGI drops a request whose receiver is gone.

import type { ServerResponse } from 'node:http';
import type { SimulatorContext } from './context.ts';
import type { Permit } from './semaphore.ts';
import type { ExchangeKind, ExchangeOutcome } from './stats.ts';
import { TimerBag } from './timers.ts';

export class Exchange {
  readonly kind: ExchangeKind;
  readonly timers = new TimerBag();
  readonly startedAt = performance.now();
  #context: SimulatorContext;
  #permit: Permit | null = null;
  #settled = false;
  #clientGone = false;
  #queued = false;

  constructor(context: SimulatorContext, res: ServerResponse, kind: ExchangeKind) {
    this.kind = kind;
    this.#context = context;
    context.exchanges.add(this);
    context.stats.begin(kind);
    res.on('close', () => {
      if (this.#settled) return;
      this.#clientGone = true;
      context.stats.failed('dropped');
      this.settle('aborted');
    });
  }

  get clientGone(): boolean {
    return this.#clientGone;
  }

  get settled(): boolean {
    return this.#settled;
  }

  holdPermit(permit: Permit): void {
    this.#permit = permit;
  }

  /** Validated and waiting for its first token (tgi_queue_size). */
  enterQueue(): void {
    if (this.#queued || this.#settled) return;
    this.#queued = true;
    this.#context.stats.prometheus.queueSize += 1;
  }

  leaveQueue(): void {
    if (!this.#queued) return;
    this.#queued = false;
    this.#context.stats.prometheus.queueSize -= 1;
  }

  settle(outcome: ExchangeOutcome): void {
    if (this.#settled) return;
    this.#settled = true;
    this.timers.clear();
    this.leaveQueue();
    this.#permit?.release();
    this.#permit = null;
    this.#context.exchanges.delete(this);
    this.#context.stats.settle(this.kind, outcome);
  }
}
