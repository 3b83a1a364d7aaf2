// A value that is expensive to fetch (a health probe, `/info`): reused for a
// while, and fetched by one caller at a time however many ask at once.
//
// Not lru-cache's fetchMethod, though it was tried and passes these tests:
// its semantics are a keyed cache's with stale-while-revalidate, and fitting
// one value into them took a special case per rule here. A TTL of 0 (always
// load: HEALTH_CACHE_TTL_MS=0) means "forever" there and Infinity is refused;
// a value still fresh while refresh() runs needs getRemainingTTL and a stale
// peek, since the entry then holds the load; a failed load keeps the last value
// only with noDeleteOnFetchRejection; and invalidate() aborts a load in flight.

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
