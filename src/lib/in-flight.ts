// Work whose end shutdown must wait for (for example, a subscription still
// handing its last payload to the client), with a bound on the wait.

export class InFlight {
  readonly #pending = new Set<Promise<unknown>>();

  get size(): number {
    return this.#pending.size;
  }

  track(work: Promise<unknown>): void {
    const settled = work.then(noop, noop);
    this.#pending.add(settled);
    void settled.then(() => this.#pending.delete(settled));
  }

  /** Resolves when everything tracked now has settled, or after `timeoutMs`. */
  async settled(timeoutMs: number): Promise<void> {
    if (this.#pending.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([Promise.all(this.#pending), timeout]);
    clearTimeout(timer);
  }
}

function noop(): void {}
