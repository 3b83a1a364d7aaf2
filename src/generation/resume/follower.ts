// One reader of a resumable generation: a subscription that started it or
// resumes it. It reads the generation's log from its cursor on, replay and
// live alike, one event per next() (so a slow client is read at its pace),
// and ends in one of three ways: it read the end, its transport was lost
// (detach: the generation runs on for someone to resume), or its client said
// stop (the generation stops when no other reader is attached).
import { GatewayError } from '../../errors.ts';
import type { EventLog } from './event-log.ts';

/** An event with its index in the generation, or the failure that ended it (the last item). */
export type FollowedItem<E> = { readonly index: number; readonly event: E } | { readonly failure: unknown };

/** A reader of a generation, here or through another process's events in Redis. */
export interface Reader<E> extends AsyncIterableIterator<FollowedItem<E>, undefined> {
  /** The transport is lost: the generation runs on without this reader. */
  detach(): void;
  /** The client asked to stop. */
  stop(): void;
}

/** What a follower tells the generation it reads. */
export interface FollowedGeneration<E> {
  readonly log: EventLog<E>;
  /** A reader asked for its next event: from then on it is attached, and the generation starts on the first ask. */
  reading(follower: Follower<E>): void;
  /** A reader took an event: the generation may need to know it caught up. */
  moved(): void;
  /** A reader is gone: `how` says whether it asked to stop. */
  left(follower: Follower<E>, how: 'detached' | 'stopped' | 'finished'): void;
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

export const eventsExpired = () =>
  new GatewayError('GENERATION_EXPIRED', 'the events asked for are no longer kept (STREAM_RESUME_MAX_BYTES): resume from a later index or start again');

export class Follower<E> implements Reader<E> {
  readonly #generation: FollowedGeneration<E>;
  #cursor: number;
  #over = false;
  /** Wakes the next() waiting for events, should the follower leave meanwhile; set only while it waits. */
  #wake: (() => void) | undefined;

  constructor(generation: FollowedGeneration<E>, afterIndex: number) {
    this.#generation = generation;
    this.#cursor = afterIndex;
  }

  /** The index of the last event this follower took. */
  get cursor(): number {
    return this.#cursor;
  }

  async next(): Promise<IteratorResult<FollowedItem<E>, undefined>> {
    const { log } = this.#generation;
    if (!this.#over) this.#generation.reading(this);
    for (;;) {
      if (this.#over) return DONE;
      const read = log.read(this.#cursor);
      switch (read.at) {
        case 'event':
          this.#cursor = read.index;
          this.#generation.moved();
          return { done: false, value: { index: read.index, event: read.event } };
        case 'gone':
          // Fallen behind past the bound: the generation runs on, but this reader cannot go on.
          this.#leave('detached');
          return { done: false, value: { failure: eventsExpired() } };
        case 'end':
          this.#leave('finished');
          return read.end.as === 'failed' ? { done: false, value: { failure: read.end.failure } } : DONE;
        case 'waiting':
          // A promise per wait, not one raced for the follower's life: each race would leave a
          // reaction on it until the follower leaves, one per event read live.
          await new Promise<void>((resolve) => {
            this.#wake = resolve;
            void log.changed().then(resolve);
          });
          this.#wake = undefined;
      }
    }
  }

  /** The transport is lost: nothing more is read, and the generation runs on without this reader. */
  detach(): void {
    this.#leave('detached');
  }

  /** The client asked to stop: the generation stops unless another reader is attached. */
  stop(): void {
    this.#leave('stopped');
  }

  /** Called by a consumer that stops reading (graphql-ws, yoga): a stop, unless the transport says otherwise first. */
  async return(): Promise<IteratorResult<FollowedItem<E>, undefined>> {
    this.stop();
    return DONE;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #leave(how: 'detached' | 'stopped' | 'finished'): void {
    if (this.#over) return;
    this.#over = true;
    this.#wake?.();
    this.#generation.left(this, how);
  }
}
