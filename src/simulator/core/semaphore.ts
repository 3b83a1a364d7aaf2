// The concurrency limit (TGI's max_concurrent_requests; a full queue in openai mode): a
// non-blocking try on the permits, held until the response is over, whatever ended it.

export interface Permit {
  release(): void;
}

export class Semaphore {
  #capacity: number;
  #inUse = 0;

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
      },
    };
  }
}
