// Where a resumable generation's events are copied for other processes to
// serve its resumes (Redis, with REDIS_URL); without one, only the process
// running a generation serves it.
import type { LogEnd } from './event-log.ts';

export interface EventMirror<E> {
  /** An event appended to the log, with its index. */
  appended(index: number, event: E): void;
  /** The generation ended: its end is written, and the copy kept for the resume time. */
  closed(end: LogEnd): void;
  /** Whether a reader in another process is attached now (a detached generation then runs on). */
  followedElsewhere(): Promise<boolean>;
}

/** What a generation is mirrored under. */
export interface MirroredGeneration {
  readonly id: string;
  readonly kind: 'chat' | 'generate';
  readonly owner: string | undefined;
  readonly modelId: string;
}
