// The routing decision itself, on numbers only: which of the candidate
// replicas takes a request, and why. The caller has already kept the best
// health state and left out the replicas tried; this weighs prefixes held
// against load.

/** Why a replica was chosen: it held the longest prefix, it was the least loaded, or none was in good health. */
export type RoutingReason = 'prefix' | 'load' | 'fallback';

export interface Candidate {
  /** Leading prompt blocks the replica holds (0 without an index). */
  readonly matched: number;
  /** Requests waiting and running there: the server's own count where known, else this gateway's. */
  readonly load: number;
}

/**
 * When affinity yields to load: a replica whose load is above the least
 * loaded one's by more than this (absolute, and relative to it) is not sent a
 * request for its prefix; its cache is worth less than the wait in its queue.
 */
export interface HotSpotGuard {
  readonly slack: number;
  readonly ratio: number;
}

export const DEFAULT_GUARD: HotSpotGuard = { slack: 2, ratio: 0.5 };

export function isHot(load: number, leastLoad: number, guard: HotSpotGuard): boolean {
  return load > leastLoad + Math.max(guard.slack, leastLoad * guard.ratio);
}

/**
 * The index of the chosen candidate (the first of equals, so that the caller's
 * rotation shares ties) and the reason. `prefix` only when the prefix made the
 * difference: a prefix every candidate holds (a system prompt sent everywhere)
 * leaves the choice to load.
 */
export function choose(candidates: readonly Candidate[], guard: HotSpotGuard = DEFAULT_GUARD): { index: number; reason: 'prefix' | 'load' } | undefined {
  if (candidates.length === 0) return undefined;
  let leastLoad = Number.POSITIVE_INFINITY;
  let leastMatched = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    leastLoad = Math.min(leastLoad, c.load);
    leastMatched = Math.min(leastMatched, c.matched);
  }
  let best = -1;
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i]!;
    if (c.matched <= leastMatched || isHot(c.load, leastLoad, guard)) continue;
    const b = candidates[best];
    if (b === undefined || c.matched > b.matched || (c.matched === b.matched && c.load < b.load)) best = i;
  }
  if (best !== -1) return { index: best, reason: 'prefix' };
  // Load decides; among equally loaded, the one holding more of the prompt.
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i]!;
    const b = candidates[best];
    if (b === undefined || c.load < b.load || (c.load === b.load && c.matched > b.matched)) best = i;
  }
  return { index: best, reason: 'load' };
}
