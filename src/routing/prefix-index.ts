// Which replica of a model was sent which prompt prefixes: an approximate
// picture of the servers' prefix caches, learnt from the gateway's own routing
// decisions. Approximate both ways (a server may have evicted what is listed
// here, or been sent a prefix by another gateway), and bounded: the least
// recently used blocks are forgotten first, whatever replica held them.
import { LRUCache } from 'lru-cache';

/** Blocks kept per model by default: 32,768 × 128 characters, about 4 MiB of prompts over all replicas. */
const DEFAULT_INDEX_BLOCKS = 32_768;

export class PrefixIndex {
  /** Block hash → the replicas (by id) it was sent to, most recent last. */
  readonly #blocks: LRUCache<string, string[]>;

  constructor(maxBlocks: number = DEFAULT_INDEX_BLOCKS) {
    this.#blocks = new LRUCache({ max: maxBlocks });
  }

  /** Blocks held now (never above the bound). */
  get size(): number {
    return this.#blocks.size;
  }

  /**
   * How many leading blocks of `blocks` each replica holds: a replica counts a
   * block only while it holds every block before it too.
   */
  matches(blocks: readonly string[], replicas: readonly string[]): Map<string, number> {
    const matched = new Map(replicas.map((id) => [id, 0]));
    let open = new Set(replicas);
    for (let i = 0; i < blocks.length && open.size > 0; i++) {
      // peek: looking does not make a block recent; only sending it does.
      const holders = this.#blocks.peek(blocks[i]!);
      if (holders === undefined) break;
      const still = new Set<string>();
      for (const id of holders) {
        if (!open.has(id)) continue;
        still.add(id);
        matched.set(id, i + 1);
      }
      open = still;
    }
    return matched;
  }

  /** `blocks` were sent to `replica`: it holds them now, most recently used. */
  record(replica: string, blocks: readonly string[]): void {
    for (const block of blocks) {
      const holders = this.#blocks.get(block);
      if (holders === undefined) {
        this.#blocks.set(block, [replica]);
      } else if (holders.at(-1) !== replica) {
        const at = holders.indexOf(replica);
        if (at !== -1) holders.splice(at, 1);
        holders.push(replica);
      }
    }
  }
}
