// Random bytes from the system's CSPRNG, drawn from a pool refilled 4 KiB at a
// time: a randomFillSync per id goes down to OpenSSL each time (some 20 µs per
// answer at 1,000 streams), and the gateway asks for a few bytes on every
// answer (its ids). Node's randomUUID keeps
// such a pool too; this one serves any length and encoding.
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let used = POOL_BYTES;

/** Where `length` unused bytes of the pool start (refilled first when too few are left). */
function reserve(length: number): number {
  if (used + length > POOL_BYTES) {
    randomFillSync(pool);
    used = 0;
  }
  const at = used;
  used += length;
  return at;
}

/** `length` fresh random bytes as `encoding`; no byte is ever handed out twice. */
export function randomText(length: number, encoding: 'hex' | 'base64url'): string {
  if (length > POOL_BYTES) return randomFillSync(Buffer.allocUnsafe(length)).toString(encoding);
  const at = reserve(length);
  return pool.toString(encoding, at, at + length);
}

/** `length` characters of `alphabet`, one fresh random byte each (ids with a fixed character set). */
export function randomWord(length: number, alphabet: string): string {
  if (length > POOL_BYTES) throw new RangeError(`at most ${POOL_BYTES} characters`);
  const at = reserve(length);
  let word = '';
  for (let i = at; i < at + length; i++) word += alphabet[pool[i]! % alphabet.length];
  return word;
}
