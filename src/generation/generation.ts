// One generation under way: the service's per-request state, in one place,
// and released in one place, whichever way the generation ends.
import type { Model } from '../registry/model.ts';
import type { Replica } from '../registry/replica.ts';
import type { Lease } from '../limits/types.ts';
import type { Deadlines } from './deadlines.ts';

export class Generation {
  readonly model: Model;
  readonly deadlines: Deadlines;
  /** The caller's rate-limit lease, when limits are on: tokens are charged to it. */
  readonly lease: Lease | undefined;
  readonly #onEnd: (generation: Generation) => void;
  #replica: Replica | undefined;
  #ended = false;

  /** `model.admit()` must have succeeded: the generation owns that slot from now on. */
  constructor(model: Model, deadlines: Deadlines, lease: Lease | undefined, onEnd: (generation: Generation) => void) {
    this.model = model;
    this.deadlines = deadlines;
    this.lease = lease;
    this.#onEnd = onEnd;
  }

  get signal(): AbortSignal {
    return this.deadlines.signal;
  }

  get replica(): Replica | undefined {
    return this.#replica;
  }

  /** The replica that answered keeps its in-flight slot until the end. */
  hold(replica: Replica): void {
    this.#replica = replica;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Clears the timers and frees the model's, the replica's and the caller's slots; only the first call counts. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.deadlines.dispose();
    this.#replica?.release();
    this.model.leave();
    this.lease?.release();
    this.#onEnd(this);
  }
}
