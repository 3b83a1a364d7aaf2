// A value that is expensive to fetch (a health probe, `/info`): reused for a
// while, and fetched by one caller at a time however many ask at once.

export class Cached<T> {
  readonly #load: () => Promise<T>;
  readonly #ttlMs: number;
  #value: { value: T; at: number } | undefined;
  #inFlight: Promise<T> | undefined;

  constructor(load: () => Promise<T>, ttlMs: number) {
    this.#load = load;
    this.#ttlMs = ttlMs;
  }

  /** The cached value while fresh, else the result of the one load in flight. */
  get(): Promise<T> {
    const cached = this.#value;
    if (cached && performance.now() - cached.at < this.#ttlMs) return Promise.resolve(cached.value);
    return this.refresh();
  }

  /** Loads now, unless a load is already in flight, whose result is shared. */
  refresh(): Promise<T> {
    this.#inFlight ??= this.#load().then(
      (value) => {
        this.#value = { value, at: performance.now() };
        this.#inFlight = undefined;
        return value;
      },
      (error: unknown) => {
        this.#inFlight = undefined;
        throw error;
      },
    );
    return this.#inFlight;
  }

  /** The last loaded value, fresh or not, without loading. */
  peek(): T | undefined {
    return this.#value?.value;
  }

  invalidate(): void {
    this.#value = undefined;
  }
}
