// Every timer a request schedules goes through its TimerBag, so one call stops all of them
// when the client leaves or the simulator closes: nothing may fire after that.

export interface TimerHandle {
  cancel(): void;
}

export class TimerBag {
  #timeouts = new Set<NodeJS.Timeout>();
  #immediates = new Set<NodeJS.Immediate>();
  #cleared = false;

  get cleared(): boolean {
    return this.#cleared;
  }

  after(ms: number, run: () => void): TimerHandle {
    if (this.#cleared) return { cancel() {} };
    const timeout = setTimeout(() => {
      this.#timeouts.delete(timeout);
      run();
    }, ms);
    this.#timeouts.add(timeout);
    return {
      cancel: () => {
        clearTimeout(timeout);
        this.#timeouts.delete(timeout);
      },
    };
  }

  /** Runs on the next turn of the event loop, after pending I/O. */
  soon(run: () => void): void {
    if (this.#cleared) return;
    const immediate = setImmediate(() => {
      this.#immediates.delete(immediate);
      run();
    });
    this.#immediates.add(immediate);
  }

  clear(): void {
    this.#cleared = true;
    for (const timeout of this.#timeouts) clearTimeout(timeout);
    for (const immediate of this.#immediates) clearImmediate(immediate);
    this.#timeouts.clear();
    this.#immediates.clear();
  }
}
