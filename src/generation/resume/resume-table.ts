// The resumable generations of one kind of stream (token streams, chat
// streams) that this process runs, by id. Ownership is checked here: with
// keys, only the key that started a generation finds it; any other gets the
// same GENERATION_NOT_FOUND as an unknown id.
import type { Caller } from '../../access/caller.ts';
import { badInput, GatewayError } from '../../errors.ts';
import type { GenerationStream } from '../service.ts';
import { eventsExpired, type Follower } from './follower.ts';
import { newGenerationId } from './generation-id.ts';
import type { RedisEvents } from './redis-events.ts';
import { ResumableGeneration } from './resumable.ts';

export interface ResumeSettings {
  /** How long a generation runs on with nobody attached, and stays readable once ended; 0 = off. */
  readonly resumeMs: number;
  /** Most bytes of events kept per generation. */
  readonly maxBytes: number;
}

/** The kinds of resumable stream. */
export type Kind = 'chat' | 'generate';

/** A resumable stream's first reader, with the id a client resumes it by. */
export interface Started<E> {
  readonly generationId: string;
  readonly follower: Follower<E>;
}

export const notFound = () => new GatewayError('GENERATION_NOT_FOUND', 'no resumable generation with that id');

/** The owner a caller's generations are kept under: its key; without keys, nobody (the id alone is enough). */
export const ownerOf = (caller: Caller): string | undefined => (caller.kind === 'key' ? caller.id : undefined);

export const checkIndex = (afterIndex: number) => {
  if (!Number.isInteger(afterIndex) || afterIndex < 0) throw badInput('afterIndex', 'afterIndex must be 0 or more');
};

/** The generations of one kind of stream (token streams, chat streams). */
export class ResumeTable<E> {
  readonly #settings: ResumeSettings;
  readonly #sizeOf: (event: E) => number;
  readonly #kept: (event: E) => E;
  readonly #byId = new Map<string, ResumableGeneration<E>>();
  readonly #kind: Kind;
  readonly #redis: RedisEvents | undefined;
  /** Set when a drain starts: the reason a generation left with nobody attached ends with. */
  drainReason: unknown = undefined;

  /** `kept`: the event as the log keeps it (a copy of values the stream goes on changing in place). */
  constructor(kind: Kind, settings: ResumeSettings, sizeOf: (event: E) => number, redis: RedisEvents | undefined, kept: (event: E) => E = (event) => event) {
    this.#kind = kind;
    this.#settings = settings;
    this.#sizeOf = sizeOf;
    this.#kept = kept;
    this.#redis = redis;
  }

  get size(): number {
    return this.#byId.size;
  }

  get generations(): Iterable<ResumableGeneration<E>> {
    return this.#byId.values();
  }

  /** Runs `stream` as a resumable generation of `caller`'s; its first reader starts it. */
  start(caller: Caller, modelId: string, stream: GenerationStream<E>): Started<E> {
    const id = newGenerationId();
    const owner = ownerOf(caller);
    const generation = new ResumableGeneration<E>({
      id,
      owner,
      modelId,
      stream,
      mirror: this.#redis?.mirror<E>({ id, kind: this.#kind, owner, modelId }),
      ...this.#settings,
      sizeOf: this.#sizeOf,
      kept: this.#kept,
      forget: (ended) => this.#byId.delete(ended.id),
      draining: () => this.drainReason,
    });
    this.#byId.set(generation.id, generation);
    return { generationId: generation.id, follower: generation.follow(0) };
  }

  /** A reader of the events after `afterIndex`, then the live ones; refused with the contract's codes. */
  follow(caller: Caller, generationId: string, afterIndex: number): { modelId: string; follower: Follower<E> } {
    checkIndex(afterIndex);
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

  get(generationId: string): ResumableGeneration<E> | undefined {
    return this.#byId.get(generationId);
  }
}
