// The events of one resumable generation, kept so that a client that lost its
// transport can read them again: numbered from 1 in the order they came,
// bounded in bytes (past the bound the oldest go), and closed once with how
// the generation ended. Readers keep their own cursor (the index of the last
// event they took) and read through it: replay and live events are one
// sequence read by one rule, so nothing is sent twice or skipped where the
// replay meets the live events. A reader with nothing to read waits for the
// next change.

/** How the generation ended: whole, stopped (by a client or by expiry), or with a failure to pass on. */
export type LogEnd = { readonly as: 'completed' } | { readonly as: 'stopped' } | { readonly as: 'failed'; readonly failure: unknown };

/** What a reader whose last event was `cursor` gets next. */
export type LogRead<E> =
  | { readonly at: 'event'; readonly index: number; readonly event: E }
  /** The next event the reader needs was dropped to keep the bound. */
  | { readonly at: 'gone' }
  /** Nothing yet: the generation is still running. */
  | { readonly at: 'waiting' }
  | { readonly at: 'end'; readonly end: LogEnd };

interface Entry<E> {
  readonly event: E;
  readonly bytes: number;
  /** Bytes appended up to and including this event. */
  readonly upTo: number;
}

export class EventLog<E> {
  readonly #maxBytes: number;
  /** The kept events; entries[0] has index #first. */
  #entries: Entry<E>[] = [];
  /** Entries at the front of #entries already dropped (compacted now and then, not per event). */
  #dropped = 0;
  #first = 1;
  #bytes = 0;
  #appended = 0;
  #end: LogEnd | undefined;
  #changed: { promise: Promise<void>; resolve: () => void } | undefined;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** The index of the last event appended (0 before the first). */
  get last(): number {
    return this.#first + this.#entries.length - this.#dropped - 1;
  }

  get end(): LogEnd | undefined {
    return this.#end;
  }

  /** Whether a reader after `cursor` could still read every event it has not had. */
  keeps(cursor: number): boolean {
    return cursor >= this.#first - 1;
  }

  /** Adds the next event (`bytes`: its size as sent); the oldest go while the kept ones pass the bound. */
  append(event: E, bytes: number): void {
    if (this.#end) return;
    this.#appended += bytes;
    this.#entries.push({ event, bytes, upTo: this.#appended });
    this.#bytes += bytes;
    // The newest event always stays, whatever its size: a reader at the head must get it.
    while (this.#bytes > this.#maxBytes && this.#entries.length - this.#dropped > 1) this.#dropOldest();
    this.#wake();
  }

  /** Closes the log: readers get what is kept, then `end`. The first end stands. */
  close(end: LogEnd): void {
    if (this.#end) return;
    this.#end = end;
    this.#wake();
  }

  read(cursor: number): LogRead<E> {
    const index = cursor + 1;
    if (index < this.#first) return { at: 'gone' };
    const entry = this.#entries[this.#dropped + index - this.#first];
    if (entry) return { at: 'event', index, event: entry.event };
    return this.#end ? { at: 'end', end: this.#end } : { at: 'waiting' };
  }

  /** Bytes kept after `cursor`: how far behind a reader there is. */
  unreadBytes(cursor: number): number {
    if (cursor >= this.last) return 0;
    if (cursor < this.#first) return this.#bytes;
    return this.#appended - this.#entries[this.#dropped + cursor - this.#first]!.upTo;
  }

  /** Resolves at the next event or at the end (never rejects). */
  changed(): Promise<void> {
    this.#changed ??= Promise.withResolvers<void>();
    return this.#changed.promise;
  }

  #dropOldest(): void {
    this.#bytes -= this.#entries[this.#dropped]!.bytes;
    this.#dropped += 1;
    this.#first += 1;
    // Shifted in one go once half the array is dropped: amortised O(1) per event.
    if (this.#dropped * 2 >= this.#entries.length) {
      this.#entries = this.#entries.slice(this.#dropped);
      this.#dropped = 0;
    }
  }

  #wake(): void {
    const changed = this.#changed;
    this.#changed = undefined;
    changed?.resolve();
  }
}
