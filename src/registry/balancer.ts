// Which replica takes the next attempt: the least busy of the best state,
// skipping those already tried for this request. Ties rotate per model, so
// equal replicas share the load instead of the first one taking it all.
import type { Replica, ReplicaState } from './replica.ts';

/** A replica's state as a rank: lower is preferred, whatever the load. */
export const PREFERENCE: Readonly<Record<ReplicaState, number>> = { HEALTHY: 0, UNHEALTHY: 1, EJECTED: 2 };

// Keyed by the model's replica list: one model's picks never shift another's rotation.
const rotations = new WeakMap<readonly Replica[], number>();

export function pickReplica(replicas: readonly Replica[], tried: ReadonlySet<Replica>): Replica | undefined {
  const n = replicas.length;
  if (n <= 1) return n === 1 && !tried.has(replicas[0]!) ? replicas[0] : undefined;
  const start = ((rotations.get(replicas) ?? -1) + 1) % n;
  rotations.set(replicas, start);
  let best: Replica | undefined;
  let bestRank = Number.POSITIVE_INFINITY;
  for (let k = 0; k < n; k++) {
    const replica = replicas[(start + k) % n]!;
    if (tried.has(replica)) continue;
    // State dominates; within a state, fewer requests in flight wins.
    const rank = PREFERENCE[replica.state] * 1e9 + replica.inFlight;
    if (rank < bestRank) {
      best = replica;
      bestRank = rank;
    }
  }
  return best;
}
