// Yoga's parse and validation caches, bounded by what their entries cost. A
// parsed document keeps every token of its text alive (graphql-js links them
// for error locations), and its validation errors ride along with it: a 4 KB
// document of 2,000 tokens costs about 1 MB. So an entry is sized by its tokens
// as well as its text, and the whole cache by that size, not by a count alone.
import { LRUCache } from 'lru-cache';
import type { DocumentNode, Token } from 'graphql';

/** What one token of a cached document costs, with its nodes and any validation errors (measured: ~500 B). */
const BYTES_PER_TOKEN = 512;

const tokensOf = new WeakMap<DocumentNode, number>();

/** Records a freshly parsed document's token count, for its size in the cache. */
export function noteTokens(document: DocumentNode): DocumentNode {
  let count = 0;
  for (let token: Token | null | undefined = document.loc?.startToken; token; token = token.next) count++;
  tokensOf.set(document, count);
  return document;
}

/** Caches for yoga's parse step holding at most about `maxBytes` (and at most 1,024 entries). */
export function boundedParseCache(maxBytes: number) {
  const documentCache = new LRUCache<string, DocumentNode>({
    max: 1024,
    maxSize: maxBytes,
    sizeCalculation: (document, key) => key.length + (tokensOf.get(document) ?? 0) * BYTES_PER_TOKEN + 1,
  });
  // Parse errors hold the text (their source) and little else.
  const errorCache = new LRUCache<string, object>({ max: 1024, maxSize: maxBytes, sizeCalculation: (_error, key) => key.length + 1 });
  return { documentCache, errorCache };
}
