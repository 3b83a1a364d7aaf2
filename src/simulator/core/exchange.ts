// One generation request from acceptance to its end, whichever way it ends. Noticing that
// the client left (the response's 'close' before we settled) stops everything at once and
// frees the concurrency permit, as TGI drops a request whose receiver is gone.

import type { ServerResponse } from 'node:http';
import type { Permit } from './semaphore.ts';
import type { ExchangeKind, ExchangeOutcome, StatsRecorder } from './stats.ts';
import { TimerBag } from './timers.ts';

/** What an exchange touches of its simulator (the context, narrowed): counters, and the set close() walks. */
interface ExchangeHome {
  stats: StatsRecorder;
  exchanges: Set<Exchange>;
}

export class Exchange {
  readonly kind: ExchangeKind;
  readonly timers = new TimerBag();
  readonly startedAt = performance.now();
  #home: ExchangeHome;
  #permit: Permit | null = null;
  #place: Permit | null = null;
  #settled = false;
  #clientGone = false;
  #queued = false;

  constructor(home: ExchangeHome, res: ServerResponse, kind: ExchangeKind) {
    this.kind = kind;
    this.#home = home;
    home.exchanges.add(this);
    home.stats.begin(kind);
    res.on('close', () => {
      if (this.#settled) return;
      this.#clientGone = true;
      home.stats.failed('dropped');
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

  /** Waiting for a concurrency slot (llama.cpp's deferred requests): counted as queued until leaveQueue. */
  enterQueue(): void {
    if (this.#queued || this.#settled) return;
    this.#queued = true;
    this.#home.stats.prometheus.queueSize += 1;
  }

  leaveQueue(): void {
    if (!this.#queued) return;
    this.#queued = false;
    this.#home.stats.prometheus.queueSize -= 1;
  }

  /** Its place in the server's queue or running batch (engine.ts), given back when it settles. */
  holdPlace(place: Permit): void {
    if (this.#settled) place.release();
    else this.#place = place;
  }

  settle(outcome: ExchangeOutcome): void {
    if (this.#settled) return;
    this.#settled = true;
    this.timers.clear();
    this.leaveQueue();
    this.#place?.release();
    this.#place = null;
    this.#permit?.release();
    this.#permit = null;
    this.#home.exchanges.delete(this);
    this.#home.stats.settle(this.kind, outcome);
  }
}
