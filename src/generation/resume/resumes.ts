// Every resumable generation of this process, both kinds: started by a
// stream with `resumable: true`, found again by a resume or a cancel. With
// Redis, every generation's events are copied there too, and a resume or
// cancel of a generation another process runs is served from there.
import type { Caller } from '../../access/caller.ts';
import { badInput, shuttingDown } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import type { StreamToken } from '../../upstream/types.ts';
import { keptChatEvent, type ChatEvent } from '../chat-answer.ts';
import { eventsExpired, type Reader } from './follower.ts';
import { RedisEvents } from './redis-events.ts';
import { RemoteFollower } from './remote-follower.ts';
import type { ResumableGeneration } from './resumable.ts';
import { checkIndex, notFound, ownerOf, ResumeTable, type Kind, type ResumeSettings } from './resume-table.ts';

export type { ResumeSettings, Started } from './resume-table.ts';
export { ResumeTable } from './resume-table.ts';

/** Redis shared by every gateway process (REDIS_URL), and the longest a generation may run. */
export interface SharedEvents {
  readonly url: string;
  readonly runMs: number;
  readonly logger: Logger;
}

/** The two kinds of stream, and their events. */
type Kinds = { chat: ChatEvent; generate: StreamToken };

/** How long closing waits for stopped generations to hand over their ends. */
const CLOSE_WAIT_MS = 1000;

/** Bytes an event takes at least as JSON: how many events the Redis copy may hold for the byte bound. */
const SMALLEST_EVENT_BYTES = 64;

/** Every resumable generation of the process, both kinds. */
export class Resumes {
  readonly chat: ResumeTable<ChatEvent>;
  readonly generate: ResumeTable<StreamToken>;
  readonly #settings: ResumeSettings;
  readonly #redis: RedisEvents | undefined;

  constructor(settings: ResumeSettings, shared?: SharedEvents) {
    this.#settings = settings;
    this.#redis =
      shared && settings.resumeMs > 0
        ? new RedisEvents(
            { ...shared, resumeMs: settings.resumeMs, maxEntries: Math.max(64, Math.floor(settings.maxBytes / SMALLEST_EVENT_BYTES)) },
            { cancel: (id) => this.#local(id)?.stop(), readerStopped: (id) => this.#local(id)?.readerStoppedElsewhere() },
          )
        : undefined;
    this.chat = new ResumeTable<ChatEvent>('chat', settings, sizeAsSent, this.#redis, keptChatEvent);
    this.generate = new ResumeTable<StreamToken>('generate', settings, sizeAsSent, this.#redis);
  }

  /** `resumable: true` is refused where resume is off (STREAM_RESUME_MS=0), before anything runs. */
  check(resumable: boolean | null | undefined): void {
    if (resumable === true && this.#settings.resumeMs === 0) throw badInput('resumable', 'resumable streams are off on this gateway (STREAM_RESUME_MS=0)');
  }

  /** Generations kept now, running or readable. */
  get size(): number {
    return this.chat.size + this.generate.size;
  }

  /** A reader of a `kind` generation after `afterIndex`: here if this process runs it, else through Redis. */
  async follow<K extends Kind>(kind: K, caller: Caller, generationId: string, afterIndex: number): Promise<{ modelId: string; follower: Reader<Kinds[K]> }> {
    const table = this[kind] as unknown as ResumeTable<Kinds[K]>;
    if (table.has(generationId) || !this.#redis) return table.follow(caller, generationId, afterIndex);
    checkIndex(afterIndex);
    const remote = await this.#redis.find(generationId);
    if (!remote || remote.kind !== kind || (remote.owner !== undefined && remote.owner !== ownerOf(caller))) throw notFound();
    const first = await this.#redis.firstIndex(generationId);
    if (first !== undefined && first > afterIndex + 1) throw eventsExpired();
    return { modelId: remote.modelId, follower: new RemoteFollower<Kinds[K]>(this.#redis, generationId, afterIndex) };
  }

  /** Stops the caller's generation: true if it was running, false if it had ended; GENERATION_NOT_FOUND otherwise. */
  async cancel(caller: Caller, generationId: string): Promise<boolean> {
    const table = this.chat.has(generationId) ? this.chat : this.generate.has(generationId) ? this.generate : undefined;
    if (table || !this.#redis) return (table ?? this.generate).find(caller, generationId).stop();
    const remote = await this.#redis.find(generationId);
    if (!remote || (remote.owner !== undefined && remote.owner !== ownerOf(caller))) throw notFound();
    // Its process died before its end: nothing runs it any more.
    if (remote.ended || (await this.#redis.orphaned(remote))) return false;
    await this.#redis.cancel(generationId);
    return true;
  }

  /** A drain starts: generations nobody is reading end now with GATEWAY_SHUTTING_DOWN; their events stay readable. */
  drain(): void {
    const reason = shuttingDown('the gateway is shutting down; the detached generation was ended');
    // Those whose client leaves during the drain end as they detach.
    this.chat.drainReason = this.generate.drainReason = reason;
    for (const generation of this.#all()) {
      if (generation.attached === 0) generation.stop(reason);
    }
  }

  /** The gateway has stopped: whatever still runs ends, no timer stays armed, and what Redis is owed is written. */
  async close(): Promise<void> {
    const all = [...this.#all()];
    for (const generation of all) generation.dispose();
    // Their ends reach the mirror once their upstream reads settle: bounded, as any last words.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(all.map((g) => g.finished)), new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)))]);
    clearTimeout(timer);
    await this.#redis?.close();
  }

  #local(id: string): Pick<ResumableGeneration<unknown>, 'stop' | 'readerStoppedElsewhere'> | undefined {
    return this.chat.get(id) ?? this.generate.get(id);
  }

  *#all(): Iterable<Pick<ResumableGeneration<unknown>, 'attached' | 'stop' | 'dispose' | 'finished'>> {
    yield* this.chat.generations;
    yield* this.generate.generations;
  }
}

/** What an event costs to keep: its length as JSON, as it is sent (and as Redis would hold it). */
function sizeAsSent(event: unknown): number {
  return JSON.stringify(event).length;
}
