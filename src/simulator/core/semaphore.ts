// The concurrency limit (TGI's max_concurrent_requests; a full queue in openai mode; llama.cpp's
// slots): a non-blocking try on the permits, or a wait in line for one (llama.cpp queues), held
// until the response is over, whatever ended it.

export interface Permit {
  release(): void;
}

export class Semaphore {
  #capacity: number;
  #inUse = 0;
  readonly #waiting: { count: number; gone: () => boolean; take: (permit: Permit | null) => void }[] = [];

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get inUse(): number {
    return this.#inUse;
  }

  tryAcquire(count: number): Permit | null {
    if (this.#inUse + count > this.#capacity) return null;
    this.#inUse += count;
    let held = true;
    return {
      release: () => {
        if (!held) return;
        held = false;
        this.#inUse -= count;
        this.#serveWaiting();
      },
    };
  }

  /** A permit as soon as one is free, in order of arrival; null for a waiter that left meanwhile (`gone`). */
  acquire(count: number, gone: () => boolean): Promise<Permit | null> {
    const now = this.#waiting.length === 0 ? this.tryAcquire(count) : null;
    if (now !== null) return Promise.resolve(now);
    return new Promise((take) => this.#waiting.push({ count, gone, take }));
  }

  #serveWaiting(): void {
    while (this.#waiting.length > 0) {
      const next = this.#waiting[0]!;
      if (next.gone()) {
        this.#waiting.shift();
        next.take(null);
        continue;
      }
      const permit = this.tryAcquire(next.count);
      if (permit === null) return;
      this.#waiting.shift();
      next.take(permit);
    }
  }
}
