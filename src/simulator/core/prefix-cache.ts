// A model server's prefix (KV) cache, as far as timing goes: the prompt cut
// into blocks of BLOCK_TOKENS token ids, each named by a hash chained over
// every block before it (vLLM's block hashes), and an LRU of those names with
// a capacity in blocks. A prompt's cached part is its longest run of leading
// blocks present; the partial last block is never cached.

import { hash32 } from './prng.ts';
import type { PromptToken } from './tokenizer.ts';

export const BLOCK_TOKENS = 16;

export class PrefixCache {
  readonly capacity: number;
  /** Insertion order is recency: a use moves a block to the end, eviction takes from the front. */
  readonly #blocks = new Map<number, true>();

  constructor(capacityBlocks: number) {
    this.capacity = capacityBlocks;
  }

  get size(): number {
    return this.#blocks.size;
  }

  /**
   * Prompt tokens found in the cache (whole leading blocks); then every block
   * of the prompt is cached, most recent first to stay.
   */
  use(prompt: readonly PromptToken[]): number {
    if (this.capacity === 0) return 0;
    let chained = 0;
    let cached = 0;
    let missed = false;
    for (let end = BLOCK_TOKENS; end <= prompt.length; end += BLOCK_TOKENS) {
      let ids = `${chained}`;
      for (let i = end - BLOCK_TOKENS; i < end; i++) ids += `,${prompt[i]!.id}`;
      chained = hash32(ids);
      if (!missed && this.#blocks.has(chained)) cached = end;
      else missed = true;
      this.#blocks.delete(chained);
      this.#blocks.set(chained, true);
      if (this.#blocks.size > this.capacity) this.#blocks.delete(this.#blocks.keys().next().value!);
    }
    return cached;
  }
}
