// Which replica takes the next attempt: the least busy of the best state,
// skipping those already tried for this request. Ties rotate, so equal
// replicas share the load instead of the first one taking it all.
import type { Replica, ReplicaState } from './replica.ts';

const PREFERENCE: Readonly<Record<ReplicaState, number>> = { HEALTHY: 0, UNHEALTHY: 1, EJECTED: 2 };

let rotation = 0;

export function pickReplica(replicas: readonly Replica[], tried: ReadonlySet<Replica>): Replica | undefined {
  const n = replicas.length;
  if (n === 1) return tried.has(replicas[0]!) ? undefined : replicas[0];
  rotation = (rotation + 1) % n;
  let best: Replica | undefined;
  let bestRank = Number.POSITIVE_INFINITY;
  for (let k = 0; k < n; k++) {
    const replica = replicas[(rotation + k) % n]!;
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
