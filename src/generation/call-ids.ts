// Every call of an answer has an id unique within it (API.md § Tool calls,
// "Finish and ids"): where the server gives none, or repeats one (TGI's unary
// id is always "0"), the gateway makes one.
import { randomWord } from '../lib/random-bytes.ts';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export const newCallId = (): string => `call_${randomWord(24, ALPHABET)}`;

/** The ids of one answer: each server id kept once, a fresh one for a missing or repeated id. */
export class CallIds {
  readonly #seen = new Set<string>();

  take(serverId: string | undefined): string {
    const id = serverId === undefined || serverId === '' || this.#seen.has(serverId) ? newCallId() : serverId;
    this.#seen.add(id);
    return id;
  }
}
