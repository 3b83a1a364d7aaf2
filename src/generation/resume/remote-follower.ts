// A reader of a generation another process runs, through its events in
// Redis: a blocking XREAD from the last entry it took, on a connection of its
// own. Stream entry ids order the entries (each holds a run of events from
// one index on), so replay and live are one read, as for a local follower; an
// index at or below the cursor is skipped all the same. While it reads it renews the generation's "attached" mark, which
// keeps the running process from ending it as abandoned.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { GatewayError } from '../../errors.ts';
import { endFromFields, endToFields, type RedisEvents } from './redis-events.ts';
import { eventsExpired, type FollowedItem, type Reader } from './follower.ts';

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });
const BLOCK_MS = 1000;
const BATCH = 256;
const LOST = new GatewayError('GENERATION_NOT_FOUND', 'the generation is gone before its end (the process that ran it stopped)');

type Entry = [id: string, fields: string[]];

export class RemoteFollower<E> implements Reader<E> {
  readonly #events: RedisEvents;
  readonly #id: string;
  readonly #redis: Redis;
  readonly #renew: NodeJS.Timeout;
  #cursor: number;
  #lastId = '0-0';
  #buffer: Entry[] = [];
  /** Events of the entry being read, and the index of the first of them. */
  #run: { first: number; events: unknown[]; at: number } | undefined;
  #over = false;
  readonly #reader = randomUUID();

  constructor(events: RedisEvents, id: string, afterIndex: number) {
    this.#events = events;
    this.#id = id;
    this.#cursor = afterIndex;
    this.#redis = events.connect();
    void events.attached(id, this.#reader);
    this.#renew = setInterval(() => void events.attached(id, this.#reader), Math.max(100, events.options.resumeMs / 3));
    // Never what keeps a process up: a reader whose transport never ends it must not hold shutdown.
    this.#renew.unref();
  }

  async next(): Promise<IteratorResult<FollowedItem<E>, undefined>> {
    for (;;) {
      if (this.#over) return DONE;
      const event = this.#nextOfRun();
      if (event) return event;
      const entry = this.#buffer.shift();
      if (entry) {
        const item = this.#itemOf(entry);
        if (item) return item;
        continue;
      }
      if (!(await this.#read())) return DONE;
    }
  }

  detach(): void {
    this.#leave();
  }

  stop(): void {
    this.#leave(true);
  }

  async return(): Promise<IteratorResult<FollowedItem<E>, undefined>> {
    this.stop();
    return DONE;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** An event past the cursor, the end, or nothing (an event already taken). */
  #itemOf([, fields]: Entry): IteratorResult<FollowedItem<E>, undefined> | undefined {
    if (fields[0] === 'end') {
      this.#leave();
      const end = endFromFields(fields[1] ?? '{"as":"stopped"}');
      return end.as === 'failed' ? { done: false, value: { failure: end.failure } } : DONE;
    }
    this.#run = { first: Number(fields[1]), events: JSON.parse(fields[3] ?? '[]') as unknown[], at: 0 };
    return this.#nextOfRun();
  }

  /** The next event of the current entry past the cursor, if any is left. */
  #nextOfRun(): IteratorResult<FollowedItem<E>, undefined> | undefined {
    const run = this.#run;
    while (run && run.at < run.events.length) {
      const index = run.first + run.at;
      const event = run.events[run.at++] as E;
      if (index <= this.#cursor) continue;
      if (index > this.#cursor + 1) {
        // Events between were trimmed (MAXLEN) or never copied (Redis was away): no gap is passed off as a stream.
        this.#leave();
        return { done: false, value: { failure: eventsExpired() } };
      }
      this.#cursor = index;
      return { done: false, value: { index, event } };
    }
    this.#run = undefined;
    return undefined;
  }

  /** Waits for entries after the last one taken; false once the reader is over or Redis lost the stream. */
  async #read(): Promise<boolean> {
    try {
      const read = (await this.#redis.xread('COUNT', BATCH, 'BLOCK', BLOCK_MS, 'STREAMS', this.#events.eventsKey(this.#id), this.#lastId)) as [string, Entry[]][] | null;
      const entries = read?.[0]?.[1] ?? [];
      if (entries.length > 0) {
        this.#lastId = entries.at(-1)![0];
        this.#buffer = entries;
      } else if (!this.#over && (await this.#events.abandoned(this.#id))) {
        // Its process died before its end was written (its heartbeat lapsed, or the copy expired): said at once, not passed
        // off as a whole stream, nor waited on until the copy expires.
        this.#buffer = [['lost', ['end', endToFields({ as: 'failed', failure: LOST })]]];
      }
      return !this.#over;
    } catch {
      // Left meanwhile (the connection was closed under the read), or Redis is gone: the reader ends.
      this.#leave();
      return false;
    }
  }

  #leave(stopped = false): void {
    if (this.#over) return;
    this.#over = true;
    clearInterval(this.#renew);
    this.#redis.disconnect();
    void this.#events.left(this.#id, this.#reader, stopped);
  }
}
