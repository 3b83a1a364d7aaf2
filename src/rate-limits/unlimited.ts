// The store for when every limit is off: admitting costs one shared,
// already-resolved promise and allocates nothing.
import type { Admission, Lease, RateLimitStore } from './types.ts';

const NO_OP_LEASE: Lease = Object.freeze({
  addTokens(): void {},
  release(): void {},
});

const ADMITTED: Promise<Admission> = Promise.resolve(Object.freeze({ ok: true, lease: NO_OP_LEASE }));

export const UNLIMITED: RateLimitStore = Object.freeze({
  admit: (): Promise<Admission> => ADMITTED,
  close: (): Promise<void> => Promise.resolve(),
});
