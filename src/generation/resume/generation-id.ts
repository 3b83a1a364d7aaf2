// A generation's id: 128 random bits, so that with keys off the id itself is
// the capability to resume or cancel it, and cannot be guessed or counted up to.
import { randomText } from '../../lib/random-bytes.ts';

/** 22 characters of base64url: 16 bytes from the system's CSPRNG. */
export function newGenerationId(): string {
  return randomText(16, 'base64url');
}
