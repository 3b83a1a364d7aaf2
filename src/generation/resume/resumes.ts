// The resumable generations this process runs, by id: started by a stream
// with `resumable: true`, found again by a resume or a cancel. Ownership is
// checked here: with keys, only the key that started a generation finds it;
// any other gets the same GENERATION_NOT_FOUND as an unknown id.
import type { Caller } from '../../access/caller.ts';
import { badInput, GatewayError, shuttingDown } from '../../errors.ts';
import type { ChatDelta, StreamToken } from '../../upstream/types.ts';
import type { GenerationStream } from '../service.ts';
import { eventsExpired, type Follower } from './follower.ts';
import { newGenerationId } from './generation-id.ts';
import { ResumableGeneration } from './resumable.ts';

export interface ResumeSettings {
  /** How long a generation runs on with nobody attached, and stays readable once ended; 0 = off. */
  readonly resumeMs: number;
  /** Most bytes of events kept per generation. */
  readonly maxBytes: number;
}

/** A resumable stream's first reader, with the id a client resumes it by. */
export interface Started<E> {
  readonly generationId: string;
  readonly follower: Follower<E>;
}

const notFound = () => new GatewayError('GENERATION_NOT_FOUND', 'no resumable generation with that id');

/** The owner a caller's generations are kept under: its key; without keys, nobody (the id alone is enough). */
const ownerOf = (caller: Caller): string | undefined => (caller.kind === 'key' ? caller.id : undefined);

/** The generations of one kind of stream (token streams, chat streams). */
export class ResumeTable<E> {
  readonly #settings: ResumeSettings;
  readonly #sizeOf: (event: E) => number;
  readonly #byId = new Map<string, ResumableGeneration<E>>();

  constructor(settings: ResumeSettings, sizeOf: (event: E) => number) {
    this.#settings = settings;
    this.#sizeOf = sizeOf;
  }

  get size(): number {
    return this.#byId.size;
  }

  get generations(): Iterable<ResumableGeneration<E>> {
    return this.#byId.values();
  }

  /** Runs `stream` as a resumable generation of `caller`'s; its first reader starts it. */
  start(caller: Caller, modelId: string, stream: GenerationStream<E>): Started<E> {
    const generation = new ResumableGeneration<E>({
      id: newGenerationId(),
      owner: ownerOf(caller),
      modelId,
      stream,
      ...this.#settings,
      sizeOf: this.#sizeOf,
      forget: (ended) => this.#byId.delete(ended.id),
    });
    this.#byId.set(generation.id, generation);
    return { generationId: generation.id, follower: generation.follow(0) };
  }

  /** A reader of the events after `afterIndex`, then the live ones; refused with the contract's codes. */
  follow(caller: Caller, generationId: string, afterIndex: number): { modelId: string; follower: Follower<E> } {
    if (!Number.isInteger(afterIndex) || afterIndex < 0) throw badInput('afterIndex', 'afterIndex must be 0 or more');
    const generation = this.find(caller, generationId);
    if (!generation.log.keeps(afterIndex)) throw eventsExpired();
    return { modelId: generation.modelId, follower: generation.follow(afterIndex) };
  }

  find(caller: Caller, generationId: string): ResumableGeneration<E> {
    const generation = this.#byId.get(generationId);
    if (generation === undefined || (generation.owner !== undefined && generation.owner !== ownerOf(caller))) throw notFound();
    return generation;
  }

  has(generationId: string): boolean {
    return this.#byId.has(generationId);
  }
}

/** Every resumable generation of the process, both kinds. */
export class Resumes {
  readonly chat: ResumeTable<ChatDelta>;
  readonly generate: ResumeTable<StreamToken>;
  readonly #settings: ResumeSettings;

  constructor(settings: ResumeSettings) {
    this.#settings = settings;
    this.chat = new ResumeTable<ChatDelta>(settings, sizeAsSent);
    this.generate = new ResumeTable<StreamToken>(settings, sizeAsSent);
  }

  /** `resumable: true` is refused where resume is off (STREAM_RESUME_MS=0), before anything runs. */
  check(resumable: boolean | null | undefined): void {
    if (resumable === true && this.#settings.resumeMs === 0) throw badInput('resumable', 'resumable streams are off on this gateway (STREAM_RESUME_MS=0)');
  }

  /** Generations kept now, running or readable. */
  get size(): number {
    return this.chat.size + this.generate.size;
  }

  /** Stops the caller's generation: true if it was running, false if it had ended; GENERATION_NOT_FOUND otherwise. */
  cancel(caller: Caller, generationId: string): boolean {
    const table = this.chat.has(generationId) ? this.chat : this.generate;
    return table.find(caller, generationId).stop();
  }

  /** A drain starts: generations nobody is reading end now with GATEWAY_SHUTTING_DOWN; their events stay readable. */
  drain(): void {
    for (const generation of this.#all()) {
      if (generation.attached === 0) generation.stop(shuttingDown('the gateway is shutting down; the detached generation was ended'));
    }
  }

  /** The gateway has stopped: whatever still runs ends, and no timer stays armed. */
  close(): void {
    for (const generation of [...this.#all()]) generation.dispose();
  }

  *#all(): Iterable<Pick<ResumableGeneration<unknown>, 'attached' | 'stop' | 'dispose'>> {
    yield* this.chat.generations;
    yield* this.generate.generations;
  }
}

/** What an event costs to keep: its length as JSON, as it is sent (and as Redis would hold it). */
function sizeAsSent(event: unknown): number {
  return JSON.stringify(event).length;
}
