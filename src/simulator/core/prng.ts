// Deterministic randomness: the same prompt and seed always yield the same tokens,
// on /generate and /generate_stream alike.

import { createHash } from 'node:crypto';

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

export function hash32(text: string): number {
  return digest(text).readUInt32BE(0);
}

/** The seed TGI would pick at random for a sampling request; here derived from the prompt. */
export function derivedSeed(prompt: string, sequence: number): bigint {
  return digest(`seed\u0000${sequence}\u0000${prompt}`).readBigUInt64BE(0);
}

/** xoshiro128**: small, fast and good enough to pick tokens. */
export class Prng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(prompt: string, seed: bigint | null) {
    const bytes = digest(`${seed === null ? 'greedy' : seed.toString()}\u0000${prompt}`);
    this.#a = bytes.readUInt32LE(0);
    this.#b = bytes.readUInt32LE(4);
    this.#c = bytes.readUInt32LE(8);
    this.#d = bytes.readUInt32LE(12);
  }

  /** Uniform in [0, 1). */
  next(): number {
    const result = Math.imul(rotl(Math.imul(this.#b, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.#b << 9) >>> 0;
    this.#c = (this.#c ^ this.#a) >>> 0;
    this.#d = (this.#d ^ this.#b) >>> 0;
    this.#b = (this.#b ^ this.#c) >>> 0;
    this.#a = (this.#a ^ this.#d) >>> 0;
    this.#c = (this.#c ^ t) >>> 0;
    this.#d = rotl(this.#d, 11);
    return result / 2 ** 32;
  }

  /** Integer in [min, max]. */
  between(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
