// Rate limits counted in this process's memory: the default, and the Redis
// store's fallback. Everything is synchronous; admit only wraps its answer in
// a resolved promise to keep the RateLimitStore shape.
//
// Memory stays bounded when every client address is a subject: a subject with
// nothing left in its window and no open lease is forgotten by a periodic,
// unref'd sweep, and at most `maxSubjects` are tracked. Past that cap a new
// subject evicts the least recently admitted subjects that hold no open lease
// (1 % of the cap at once, so that a flood of new subjects pays for one scan
// per hundred); their counts are lost: they start afresh next time. A subject
// that holds a lease is never evicted, so its concurrency count stays exact.
// If none of the oldest can go, the new subject is refused as `unavailable`.
import { SlidingWindow } from './sliding-window.ts';
import {
  limitsOff, longest,
  type Admission, type Clock, type Lease, type RateLimitStore, type RateLimits, type Refusal,
} from './types.ts';
import { UNLIMITED } from './unlimited.ts';

export interface MemoryStoreOptions {
  /** Default: `performance.now`, monotonic, so a wall-clock step moves no window. */
  clock?: Clock;
  /** Default 100,000 (about 0.5 KB each with RPM and TPM on). */
  maxSubjects?: number;
  /** How often idle subjects are forgotten; default 15 s. 0 = never by timer (call `sweep`). */
  sweepIntervalMs?: number;
}

export interface MemoryStore extends RateLimitStore {
  /** Subjects tracked now. */
  readonly subjects: number;
  /** Forgets every subject with nothing in its window and no open lease. */
  sweep(): void;
}

interface Subject {
  readonly requests: SlidingWindow | undefined;
  readonly tokens: SlidingWindow | undefined;
  open: number;
}

/** How many subjects holding leases an eviction may step over before it gives up. */
const EVICTION_SCAN = 32;
const TOO_MANY_SUBJECTS: Refusal = Object.freeze({ ok: false, limit: 'unavailable', retryAfterSeconds: 1 });

export function createMemoryStore(limits: RateLimits, options: MemoryStoreOptions = {}): MemoryStore {
  if (limitsOff(limits)) return { ...UNLIMITED, subjects: 0, sweep: () => {} };
  return new MemoryLimitStore(limits, options);
}

class MemoryLimitStore implements MemoryStore {
  readonly #limits: RateLimits;
  readonly #clock: Clock;
  readonly #maxSubjects: number;
  // Insertion order is admission order (admit re-inserts), which makes the first entries the eviction candidates.
  readonly #subjects = new Map<string, Subject>();
  readonly #sweeper: NodeJS.Timeout | undefined;

  constructor(limits: RateLimits, options: MemoryStoreOptions) {
    this.#limits = { ...limits };
    this.#clock = options.clock ?? (() => performance.now());
    this.#maxSubjects = options.maxSubjects ?? 100_000;
    const every = options.sweepIntervalMs ?? 15_000;
    if (every > 0) this.#sweeper = setInterval(() => this.sweep(), every).unref();
  }

  get subjects(): number {
    return this.#subjects.size;
  }

  admit(subject: string): Promise<Admission> {
    return Promise.resolve(this.#admit(subject));
  }

  close(): Promise<void> {
    clearInterval(this.#sweeper);
    return Promise.resolve();
  }

  sweep(): void {
    const now = this.#clock();
    for (const [name, subject] of this.#subjects) {
      if (idle(subject, now)) this.#subjects.delete(name);
    }
  }

  #admit(name: string): Admission {
    const subject = this.#track(name);
    if (!subject) return TOO_MANY_SUBJECTS;
    const now = this.#clock();
    const refusal = this.#check(subject, now);
    if (refusal) return refusal;
    subject.requests?.add(now, 1);
    subject.open++;
    return { ok: true, lease: new MemoryLease(subject, this.#clock) };
  }

  #check(subject: Subject, now: number): Refusal | undefined {
    const { rpm, tpm, concurrent } = this.#limits;
    return longest([
      over('rpm', subject.requests, rpm, now),
      over('tpm', subject.tokens, tpm, now),
      concurrent !== undefined && subject.open >= concurrent
        ? { ok: false, limit: 'concurrent', retryAfterSeconds: 1 }
        : undefined,
    ]);
  }

  #track(name: string): Subject | undefined {
    const known = this.#subjects.get(name);
    if (known) {
      this.#subjects.delete(name);
      this.#subjects.set(name, known);
      return known;
    }
    if (this.#subjects.size >= this.#maxSubjects && !this.#evictOldest()) return undefined;
    const subject: Subject = {
      requests: this.#limits.rpm === undefined ? undefined : new SlidingWindow(),
      tokens: this.#limits.tpm === undefined ? undefined : new SlidingWindow(),
      open: 0,
    };
    this.#subjects.set(name, subject);
    return subject;
  }

  #evictOldest(): boolean {
    let wanted = Math.max(1, Math.floor(this.#maxSubjects / 100));
    let skipped = 0;
    for (const [name, subject] of this.#subjects) {
      if (subject.open > 0) {
        if (++skipped >= EVICTION_SCAN) break;
        continue;
      }
      this.#subjects.delete(name);
      if (--wanted === 0) break;
    }
    return this.#subjects.size < this.#maxSubjects;
  }
}

class MemoryLease implements Lease {
  // Cleared at release: what makes release idempotent and later tokens free.
  #subject: Subject | undefined;
  readonly #clock: Clock;

  constructor(subject: Subject, clock: Clock) {
    this.#subject = subject;
    this.#clock = clock;
  }

  addTokens(n: number): void {
    // `!(n > 0)` also refuses NaN: a bad count must not poison the window's total.
    if (!(n > 0)) return;
    this.#subject?.tokens?.add(this.#clock(), n);
  }

  release(): void {
    if (!this.#subject) return;
    this.#subject.open--;
    this.#subject = undefined;
  }
}

function over(limit: 'rpm' | 'tpm', window: SlidingWindow | undefined, max: number | undefined, now: number): Refusal | undefined {
  if (!window || max === undefined || window.total(now) < max) return undefined;
  return { ok: false, limit, retryAfterSeconds: window.secondsUntilBelow(now, max) };
}

function idle(subject: Subject, now: number): boolean {
  return subject.open === 0 && (subject.requests?.total(now) ?? 0) === 0 && (subject.tokens?.total(now) ?? 0) === 0;
}
