// One resumable generation: its upstream stream, pumped into its event log
// whether or not anyone reads, and the followers that read it. It stops when
// the last attached follower asks to stop, when `cancelGeneration` says so,
// or when nobody has been attached for the resume time; once ended, its
// events stay readable for that time, then it is forgotten. While followers
// are attached the pump keeps pace with the slowest of them (a client that
// reads slowly holds the model server back, as any stream does); detached, it
// runs at the server's pace into the bounded log.
import { failureCode } from '../report.ts';
import type { GenerationStream } from '../service.ts';
import { EventLog, type LogEnd } from './event-log.ts';
import { Follower, type FollowedGeneration } from './follower.ts';
import type { EventMirror } from './mirror.ts';

export interface ResumableParts<E> {
  readonly id: string;
  /** The API key's caller id that started it; undefined when keys are off (the id is the capability). */
  readonly owner: string | undefined;
  readonly modelId: string;
  /** The generation's events, not yet read: reading starts it. */
  readonly stream: GenerationStream<E>;
  readonly resumeMs: number;
  readonly maxBytes: number;
  /** Bytes an event costs to keep (its size as sent). */
  readonly sizeOf: (event: E) => number;
  /** The event as it is to be kept: a copy of what the stream goes on changing after it was read. */
  readonly kept: (event: E) => E;
  /** Called once, when it is to be forgotten. */
  readonly forget: (generation: ResumableGeneration<E>) => void;
  /** Where its events are copied for other processes, if anywhere. */
  readonly mirror?: EventMirror<E> | undefined;
  /** The gateway is draining: a generation left with nobody attached ends now (with this reason). */
  readonly draining?: () => unknown;
}

/** Stopped with no reader attached for the resume time: no failure of anyone's. */
const NOBODY_ATTACHED = new DOMException('no client resumed the stream in time', 'AbortError');
/** Stopped by its last reader, or by cancelGeneration. */
const STOPPED = new DOMException('the client stopped the generation', 'AbortError');

export class ResumableGeneration<E> implements FollowedGeneration<E> {
  readonly id: string;
  readonly owner: string | undefined;
  readonly modelId: string;
  readonly log: EventLog<E>;
  readonly #parts: ResumableParts<E>;
  readonly #attached = new Set<Follower<E>>();
  #pumping = false;
  #disposed = false;
  #stopReason: unknown;
  /** Armed while nobody is attached and it runs; then, once it ended, until it is forgotten. */
  #timer: NodeJS.Timeout | undefined;
  /** The pump waits here while an attached follower lags too far behind. */
  #room: PromiseWithResolvers<void> | undefined;
  readonly #finished = Promise.withResolvers<void>();

  constructor(parts: ResumableParts<E>) {
    this.#parts = parts;
    this.id = parts.id;
    this.owner = parts.owner;
    this.modelId = parts.modelId;
    this.log = new EventLog(parts.maxBytes);
  }

  get running(): boolean {
    return this.log.end === undefined;
  }

  get attached(): number {
    return this.#attached.size;
  }

  /** Resolves once it has ended and its end was handed to the log (and the mirror). */
  get finished(): Promise<void> {
    return this.#finished.promise;
  }

  /** A reader from `afterIndex` on; the caller has checked that the log keeps what it asks for. */
  follow(afterIndex: number): Follower<E> {
    // Attached from its first read: a reader never read (a transport that answered otherwise) holds nothing,
    // and the generation runs out as with nobody attached.
    if (this.running && this.#attached.size === 0 && this.#timer === undefined) this.#arm(() => this.#expire());
    return new Follower(this, afterIndex);
  }

  /** Ends it now with `reason` if it runs (its upstream request is aborted at once); false if it had ended. */
  stop(reason: unknown = STOPPED): boolean {
    if (!this.running || this.#stopReason !== undefined) return false;
    this.#stopReason = reason;
    this.#parts.stream.cancel(reason);
    this.#makeRoom();
    // Never read, the stream never began: nothing will close the log but this.
    if (!this.#pumping) this.#ended(endOf(reason));
    return true;
  }

  /** A reader in another process stopped explicitly: the last one to, it stops the generation. */
  readerStoppedElsewhere(): void {
    const { mirror } = this.#parts;
    if (!mirror || this.#attached.size > 0 || !this.running) return;
    void mirror.followedElsewhere().then((followed) => {
      if (!followed && this.#attached.size === 0) this.stop(STOPPED);
    });
  }

  /** The gateway stops: it ends now if it runs, and arms no timer any more. */
  dispose(): void {
    this.#disposed = true;
    this.#disarm();
    this.stop();
  }

  reading(follower: Follower<E>): void {
    if (!this.#attached.has(follower)) {
      this.#attached.add(follower);
      if (this.running) this.#disarm();
    }
    if (this.#pumping || !this.running) return;
    this.#pumping = true;
    void this.#pump();
  }

  moved(): void {
    if (this.#room && !this.#lagging()) this.#makeRoom();
  }

  left(follower: Follower<E>, how: 'detached' | 'stopped' | 'finished'): void {
    // One never read counts only by a stop: its client said so.
    if (!this.#attached.delete(follower) && how !== 'stopped') return;
    this.#makeRoom();
    if (this.#attached.size > 0 || !this.running) return;
    const draining = this.#parts.draining?.();
    if (how === 'stopped') this.stop(STOPPED);
    else if (draining !== undefined) this.stop(draining);
    else this.#arm(() => this.#expire());
  }

  async #pump(): Promise<void> {
    const { stream, sizeOf, kept } = this.#parts;
    let end: LogEnd;
    try {
      for (;;) {
        if (this.#lagging()) {
          this.#room ??= Promise.withResolvers<void>();
          await this.#room.promise;
        }
        if (this.#stopReason !== undefined) throw this.#stopReason;
        const read = await stream.next();
        if (read.done) break;
        const event = kept(read.value);
        this.log.append(event, sizeOf(event));
        this.#parts.mirror?.appended(this.log.last, event);
      }
      // A stream cut by stop() may end as if whole: its reason is the end.
      end = this.#stopReason === undefined ? { as: 'completed' } : endOf(this.#stopReason);
    } catch (error) {
      end = endOf(this.#stopReason ?? error);
    }
    // Stopped between two reads, the stream sits at its last event: returned, it lets go of the upstream body.
    if (this.#stopReason !== undefined) await stream.return(undefined).catch(() => undefined);
    this.#ended(end);
  }

  #ended(end: LogEnd): void {
    this.log.close(end);
    this.#parts.mirror?.closed(end);
    this.#finished.resolve();
    // Ran out of time with nobody attached: forgotten at once, else readable for the resume time.
    if (this.#stopReason === NOBODY_ATTACHED) this.#forget();
    else this.#arm(() => this.#forget());
  }

  #expire(): void {
    this.#timer = undefined;
    const { mirror } = this.#parts;
    if (!mirror) {
      this.stop(NOBODY_ATTACHED);
      return;
    }
    // A reader through another process keeps it running as one here would.
    void mirror.followedElsewhere().then((followed) => {
      if (this.#attached.size > 0 || !this.running) return;
      if (followed) this.#arm(() => this.#expire());
      else this.stop(NOBODY_ATTACHED);
    });
  }

  #forget(): void {
    this.#disarm();
    this.#parts.forget(this);
  }

  #arm(then: () => void): void {
    this.#disarm();
    if (this.#disposed) return;
    this.#timer = setTimeout(then, this.#parts.resumeMs);
  }

  #disarm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** An attached follower has more than half the bound unread: the next event would push its oldest out. */
  #lagging(): boolean {
    const limit = this.#parts.maxBytes / 2;
    for (const follower of this.#attached) if (this.log.unreadBytes(follower.cursor) > limit) return true;
    return false;
  }

  #makeRoom(): void {
    const room = this.#room;
    this.#room = undefined;
    room?.resolve();
  }
}

/** A client's stop is a quiet end; anything else (a failure, shutdown) is passed on to readers. */
function endOf(reason: unknown): LogEnd {
  return failureCode(reason) === 'CANCELLED' ? { as: 'stopped' } : { as: 'failed', failure: reason };
}
