// The shape every rate-limit store has, whatever holds its counts (this
// process's memory or a Redis shared by all gateway processes).

/** Per subject (an API key's id, or the client address when keys are off); positive whole numbers, undefined = that limit off. */
export interface RateLimits {
  /** Generation operations admitted per sliding minute. */
  rpm?: number;
  /** Tokens generated per sliding minute. */
  tpm?: number;
  /** Generations open at once. */
  concurrent?: number;
}

/** `unavailable`: the store cannot decide (Redis down with `failureMode: 'closed'`, or too many subjects). */
export type LimitName = 'rpm' | 'tpm' | 'concurrent' | 'unavailable';

export interface Refusal {
  ok: false;
  limit: LimitName;
  /** Whole seconds until the same request would be admitted, at least 1. */
  retryAfterSeconds: number;
}

export type Admission = { ok: true; lease: Lease } | Refusal;

/** One admitted generation. */
export interface Lease {
  /** Tokens generated so far are charged as they stream (cheap: no I/O per call; buffered and flushed). */
  addTokens(n: number): void;
  /** The generation ended (any way): frees its concurrency slot and flushes its tokens. Idempotent. */
  release(): void;
}

export interface RateLimitStore {
  /**
   * Checks RPM (counting this request if admitted), TPM (refuses when the
   * tokens already in the window reach the limit: a running stream is never
   * cut) and concurrency (taking a slot). Nothing is counted when refused.
   */
  admit(subject: string): Promise<Admission>;
  close(): Promise<void>;
}

/** Milliseconds from any fixed origin; only differences matter. */
export type Clock = () => number;

/** The window every limit is counted over. */
export const WINDOW_SECONDS = 60;

/** What the stores log: a pino logger fits. */
export interface RateLimitsLogger {
  warn(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
}

export function limitsOff(limits: RateLimits): boolean {
  return limits.rpm === undefined && limits.tpm === undefined && limits.concurrent === undefined;
}

/** Of several refusals, the one that lasts longest: the request cannot pass before all have cleared. */
export function longest(refusals: readonly (Refusal | undefined)[]): Refusal | undefined {
  let found: Refusal | undefined;
  for (const refusal of refusals) {
    if (refusal && (!found || refusal.retryAfterSeconds > found.retryAfterSeconds)) found = refusal;
  }
  return found;
}
