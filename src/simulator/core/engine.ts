// The scheduler of a simulated model server: a running batch of at most
// maxBatchSize requests with a FIFO queue behind it, and a prefill that costs
// prefillMsPerToken for each prompt token not in the prefix cache. Prefills
// take turns (a GPU's compute does one prompt's prefill at a time; decoding
// then runs alongside), so a long uncached prompt delays every request behind
// it. The first token comes timeToFirstTokenMs after the prefill ends. A request
// waiting for its prefill's turn is in the queue, as a server's scheduler
// holds it until it can add it to the batch.
//
// With the defaults (no batch limit, no prefill cost, no cache) a request
// starts at once and its first token comes after timeToFirstTokenMs, as before.

import type { Permit } from './semaphore.ts';
import { PrefixCache } from './prefix-cache.ts';
import type { TimerBag } from './timers.ts';
import type { PromptToken } from './tokenizer.ts';

export interface EngineSettings {
  /** 0: no limit. */
  maxBatchSize: number;
  prefillMsPerToken: number;
  prefixCacheBlocks: number;
  /** Read at each start, so that setTiming applies. */
  timeToFirstTokenMs(): number;
}

interface Job {
  readonly prompt: readonly PromptToken[];
  readonly timers: TimerBag;
  readonly start: () => void;
  state: 'waiting' | 'running' | 'done';
  /** In the batch, but its prefill not yet begun: still counted as waiting. */
  prefillPending: boolean;
}

export class Engine {
  readonly cache: PrefixCache;
  readonly #settings: EngineSettings;
  readonly #waiting: Job[] = [];
  #running = 0;
  #prefillPending = 0;
  /** performance.now() at which the prefill lane is free. */
  #prefillFreeAt = 0;

  constructor(settings: EngineSettings) {
    this.#settings = settings;
    this.cache = new PrefixCache(settings.prefixCacheBlocks);
  }

  /** Requests queued: behind a full batch, or for their prefill's turn. */
  get waiting(): number {
    return this.#waiting.length + this.#prefillPending;
  }

  /** Requests in the running batch, prefilling or decoding. */
  get running(): number {
    return this.#running - this.#prefillPending;
  }

  /** Share of the prefix cache's blocks in use, 0 to 1 (0 without a cache). */
  get kvCacheUsage(): number {
    return this.cache.capacity === 0 ? 0 : this.cache.size / this.cache.capacity;
  }

  /**
   * Queues a request; `start` runs when its first token is due. The permit
   * gives its place back (in the queue or the batch) whenever it ends; its
   * timers belong to the request, so its end cancels a start not yet due.
   */
  admit(prompt: readonly PromptToken[], timers: TimerBag, start: () => void): Permit {
    const job: Job = { prompt, timers, start, state: 'waiting', prefillPending: false };
    this.#waiting.push(job);
    this.#pump();
    return {
      release: () => {
        if (job.prefillPending) this.#prefillBegun(job);
        if (job.state === 'running') this.#running -= 1;
        else if (job.state === 'waiting') this.#waiting.splice(this.#waiting.indexOf(job), 1);
        job.state = 'done';
        this.#pump();
      },
    };
  }

  #pump(): void {
    const limit = this.#settings.maxBatchSize || Number.POSITIVE_INFINITY;
    while (this.#running < limit && this.#waiting.length > 0) {
      const job = this.#waiting.shift()!;
      job.state = 'running';
      this.#running += 1;
      this.#run(job);
    }
  }

  #run(job: Job): void {
    const uncached = job.prompt.length - this.cache.use(job.prompt);
    const now = performance.now();
    const prefillMs = uncached * this.#settings.prefillMsPerToken;
    if (prefillMs > 0) {
      const begins = Math.max(now, this.#prefillFreeAt);
      this.#prefillFreeAt = begins + prefillMs;
      if (begins > now) {
        job.prefillPending = true;
        this.#prefillPending += 1;
        job.timers.after(begins - now, () => this.#prefillBegun(job));
      }
    }
    const prefillDone = prefillMs > 0 ? this.#prefillFreeAt - now : 0;
    job.timers.after(prefillDone + this.#settings.timeToFirstTokenMs(), job.start);
  }

  #prefillBegun(job: Job): void {
    if (!job.prefillPending) return;
    job.prefillPending = false;
    this.#prefillPending -= 1;
  }
}
