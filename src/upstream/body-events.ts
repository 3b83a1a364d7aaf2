// A streamed body's events as the consumer reads them, pushed rather than
// pulled: the body's chunks arrive by 'data' events and go at once,
// synchronously, through the protocol's decoder into a small queue; the
// consumer's next() takes from the queue or waits for the next event. That
// is one promise per event, where async generators stacked on the body's own
// async iterator cost several per chunk and per layer.
//
// Backpressure stays the body's: while events wait unread, the body is
// paused, so a consumer that stops reading holds the server back through
// TCP; when the consumer asks for more, what the body holds is read at once,
// and it flows again once that gave nothing more to read. A consumer that
// returns early destroys the body (the server learns it from the closed
// socket). A failure, the body's or the decoder's, reaches the consumer after
// the events before it, classified as network failures are.
import { Readable } from 'node:stream';
import { classify, discard } from './http.ts';

/** Where a decoder hands each value it makes. */
export type Emit<T> = (value: T) => void;

/** A protocol's stream decoder: bytes in, values out through its Emit; synchronous, one per stream. */
export interface BodyDecoder {
  /** One chunk of the body; false once the rest of it is not worth reading. Throws the stream's failure. */
  feed(chunk: Uint8Array): boolean;
  /** The body ended: the values still owed, or a throw when that end cuts the stream off. */
  end(): void;
  /** The stream fails with `error` (the body's or the decoder's own): a value still owed before it, if any. */
  fail(error: unknown): void;
}

type Ending = { readonly failed: false } | { readonly failed: true; readonly error: unknown };

const ENDED: Ending = { failed: false };
const NEVER = new AbortController().signal;
const asIs = (error: unknown): unknown => error;

export class BodyEvents<T> implements AsyncGenerator<T, void, undefined> {
  readonly #body: Readable;
  readonly #signal: AbortSignal;
  readonly #mapError: (error: unknown) => unknown;
  readonly #decoder: BodyDecoder;
  /** Events decoded and not read yet: the body is paused while there are any. */
  readonly #queue: T[] = [];
  /** How reading ended, told once the queue is read; undefined while it goes on. */
  #ending: Ending | undefined;
  /** The consumer's next() waiting for an event (one read at a time, as for any stream). */
  #waiting: ((result: IteratorResult<T, void> | Promise<IteratorResult<T, void>>) => void) | undefined;

  constructor(body: Readable, decoder: (emit: Emit<T>) => BodyDecoder, signal: AbortSignal, mapError: (error: unknown) => unknown = asIs) {
    this.#body = body;
    this.#signal = signal;
    this.#mapError = mapError;
    this.#decoder = decoder(this.#emit);
    body.on('data', this.#onData).on('end', this.#onEnd).on('error', this.#fail).on('close', this.#onClose);
  }

  next(): Promise<IteratorResult<T, void>> {
    if (this.#queue.length === 0 && this.#ending === undefined && this.#body.isPaused()) this.#catchUp();
    if (this.#queue.length > 0) return Promise.resolve({ done: false, value: this.#queue.shift()! });
    if (this.#ending !== undefined) return this.#told();
    return new Promise((resolve) => (this.#waiting = resolve));
  }

  /** Stops reading: a body not read to its end is destroyed, and a failure not yet told is not told. */
  return(): Promise<IteratorResult<T, void>> {
    this.#queue.length = 0;
    if (this.#ending === undefined) this.#finish(ENDED);
    this.#ending = ENDED;
    return Promise.resolve({ done: true, value: undefined });
  }

  throw(error: unknown): Promise<IteratorResult<T, void>> {
    void this.return();
    return Promise.reject(this.#failure(error));
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }

  /**
   * The consumer asks for more while the body is paused: what the body holds
   * is read at once (read() hands it all over as one chunk, through the 'data'
   * listener), and the body flows again only once that gave no event. A
   * consumer catching up on a long stream so pays for a pause once per buffer,
   * not once per event.
   */
  #catchUp(): void {
    this.#body.read();
    if (this.#queue.length === 0 && this.#ending === undefined) this.#body.resume();
  }

  readonly #emit = (value: T): void => {
    const waiting = this.#waiting;
    if (waiting === undefined) {
      this.#queue.push(value);
      return;
    }
    this.#waiting = undefined;
    waiting({ done: false, value });
  };

  readonly #onData = (chunk: Uint8Array): void => {
    let more: boolean;
    try {
      more = this.#decoder.feed(chunk);
    } catch (error) {
      this.#fail(error);
      return;
    }
    if (!more) this.#finish(ENDED);
    else if (this.#queue.length > 0) this.#body.pause();
  };

  readonly #onEnd = (): void => {
    try {
      this.#decoder.end();
    } catch (error) {
      this.#fail(error);
      return;
    }
    this.#finish(ENDED);
  };

  /** A close without the end: what the body's async iterator would have thrown. */
  readonly #onClose = (): void => {
    this.#fail(Object.assign(new Error('the stream closed before its end'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
  };

  readonly #fail = (error: unknown): void => {
    this.#decoder.fail(error);
    this.#finish({ failed: true, error });
  };

  /** Reading is over: none of these listeners stays on the body, and a body not read to its end is dropped with its socket. */
  #finish(ending: Ending): void {
    this.#ending = ending;
    const body = this.#body;
    body.off('data', this.#onData).off('end', this.#onEnd).off('error', this.#fail).off('close', this.#onClose);
    if (!body.readableEnded) discard(body);
    const waiting = this.#waiting;
    if (waiting === undefined) return;
    this.#waiting = undefined;
    waiting(this.#told());
  }

  /** The end, once every event was read: a failure is told once, then the stream is done. */
  #told(): Promise<IteratorResult<T, void>> {
    const ending = this.#ending!;
    this.#ending = ENDED;
    return ending.failed ? Promise.reject(this.#failure(ending.error)) : Promise.resolve({ done: true, value: undefined });
  }

  #failure(error: unknown): unknown {
    return this.#mapError(classify(error, this.#signal, 'broken'));
  }
}

/** The same for a body given as chunks, outside any request (no abort to tell apart). */
export function decodeIterable<T>(body: AsyncIterable<Uint8Array>, decoder: (emit: Emit<T>) => BodyDecoder): AsyncGenerator<T, void, undefined> {
  return new BodyEvents(Readable.from(body), decoder, NEVER);
}
