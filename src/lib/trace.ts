// W3C Trace Context for calls to TGI, which reads only `traceparent` (as the
// parent of its own spans). The caller's trace goes on with a span of ours.
import { randomFillSync } from 'node:crypto';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ALL_ZERO = /^0+$/;

/** A valid incoming `traceparent` (version 00), or undefined. */
export function parseTraceparent(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const value = header.trim().toLowerCase();
  const match = TRACEPARENT.exec(value);
  return match && !ALL_ZERO.test(match[1]!) && !ALL_ZERO.test(match[2]!) ? value : undefined;
}

/** The `traceparent` for an upstream call: the caller's trace with a new span, else a new sampled trace. */
export function childTraceparent(parent: string | undefined): string {
  const match = parent === undefined ? null : TRACEPARENT.exec(parent);
  const traceId = match ? match[1]! : randomHex(16);
  return `00-${traceId}-${randomHex(8)}-${match ? match[3]! : '01'}`;
}

// Every upstream call needs fresh ids: taken from a pool filled 4 KiB at a time, since one
// call into the CSPRNG per id costs more than the few bytes it returns.
const pool = Buffer.alloc(4096);
let used = pool.length;

function randomHex(bytes: number): string {
  if (used + bytes > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const hex = pool.toString('hex', used, used + bytes);
  used += bytes;
  return hex;
}
