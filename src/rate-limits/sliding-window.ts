// A count over the last WINDOW_SECONDS, kept as one bucket per second that
// saw something. A bucket counts until WINDOW_SECONDS after its second began,
// so the window is exact to within a second. Only seconds with activity are
// stored: a subject that made one request costs one bucket, not sixty, which
// matters when every client address is a subject. The Redis store's Lua does
// the same arithmetic, so both answer the same retry-after.
import { WINDOW_SECONDS } from './types.ts';

export class SlidingWindow {
  // Parallel arrays, oldest first; at most WINDOW_SECONDS entries. A window
  // that empties gets arrays of one again: V8 would keep a growing push's spare room.
  #seconds: number[] = [];
  #counts: number[] = [];
  #total = 0;

  add(nowMs: number, n: number): void {
    const second = Math.floor(nowMs / 1000);
    const last = this.#seconds.length - 1;
    // A clock that stepped back lands in the newest bucket rather than out of order.
    if (last >= 0 && this.#seconds[last]! >= second) this.#counts[last]! += n;
    else {
      // A stream charging tokens for an hour, with no admit to read the window, must not grow it past 60 buckets.
      this.total(nowMs);
      if (this.#seconds.length === 0) {
        this.#seconds = [second];
        this.#counts = [n];
      } else {
        this.#seconds.push(second);
        this.#counts.push(n);
      }
    }
    this.#total += n;
  }

  /** Buckets kept (at most WINDOW_SECONDS once pruned). */
  get buckets(): number {
    return this.#seconds.length;
  }

  /** What the window holds at `nowMs`, after dropping what fell out of it. */
  total(nowMs: number): number {
    const oldestLive = Math.floor(nowMs / 1000) - WINDOW_SECONDS + 1;
    while (this.#seconds.length > 0 && this.#seconds[0]! < oldestLive) {
      this.#seconds.shift();
      this.#total -= this.#counts.shift()!;
    }
    return this.#total;
  }

  /** Whole seconds (at least 1) until the total falls below `limit`; call after `total(nowMs)`. */
  secondsUntilBelow(nowMs: number, limit: number): number {
    let excess = this.#total - limit + 1;
    for (let i = 0; i < this.#seconds.length; i++) {
      excess -= this.#counts[i]!;
      if (excess <= 0) return Math.max(1, Math.ceil(((this.#seconds[i]! + WINDOW_SECONDS) * 1000 - nowMs) / 1000));
    }
    return WINDOW_SECONDS;
  }
}
