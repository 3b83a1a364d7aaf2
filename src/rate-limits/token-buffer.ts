// Tokens generated in this process and not yet written to Redis, per subject:
// streams charge tokens one by one, Redis hears of them in batches.

export class TokenBuffer {
  readonly #pending = new Map<string, number>();

  get size(): number {
    return this.#pending.size;
  }

  add(subject: string, n: number): void {
    this.#pending.set(subject, (this.#pending.get(subject) ?? 0) + n);
  }

  /** Held for `subject`, as a whole number (what HINCRBY takes). */
  held(subject: string): number {
    return Math.round(this.#pending.get(subject) ?? 0);
  }

  /** Removes and returns what `subject` holds. */
  take(subject: string): number {
    const n = this.held(subject);
    this.#pending.delete(subject);
    return n;
  }

  /** Removes and returns everything, whole numbers, zeros left out. */
  takeAll(): Map<string, number> {
    const all = new Map<string, number>();
    for (const [subject, n] of this.#pending) if (Math.round(n) > 0) all.set(subject, Math.round(n));
    this.#pending.clear();
    return all;
  }

  /** Puts back a batch that could not be written. */
  restore(batch: ReadonlyMap<string, number>): void {
    for (const [subject, n] of batch) this.add(subject, n);
  }

  clear(): void {
    this.#pending.clear();
  }
}
