// Every call of an answer has an id unique within it (API.md § Tool calls,
// "Finish and ids"): where the server gives none, or repeats one (TGI's unary
// id is always "0"), the gateway makes one.
import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export const newCallId = (): string => `call_${Array.from(randomBytes(24), (b) => ALPHABET[b % ALPHABET.length]).join('')}`;

/** The ids of one answer: each server id kept once, a fresh one for a missing or repeated id. */
export class CallIds {
  readonly #seen = new Set<string>();

  take(serverId: string | undefined): string {
    const id = serverId === undefined || serverId === '' || this.#seen.has(serverId) ? newCallId() : serverId;
    this.#seen.add(id);
    return id;
  }
}
