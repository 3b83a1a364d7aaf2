// Which replica of a model takes the next attempt, by the model's policy:
// `least-in-flight` (balancer.ts), or `prefix-aware`: health first, then the
// replica holding the longest prefix of the prompt unless its load runs well
// above the least loaded one's, else the least loaded (the servers' own queue
// where their metrics tell it). The prompt's blocks are hashed once per
// request (routing/prefix-blocks.ts); each decision is recorded in the index,
// which learns only from what this gateway (or, shared, its peers) sent.
import type { RoutingPolicy } from '../config/models.ts';
import { choose, DEFAULT_GUARD, type HotSpotGuard, type RoutingReason } from '../routing/choose.ts';
import { PrefixIndex } from '../routing/prefix-index.ts';
import { pickReplica, PREFERENCE } from './balancer.ts';
import type { Replica } from './replica.ts';

export type { RoutingReason };

export interface RoutingDecision {
  readonly replica: Replica;
  readonly reason: RoutingReason;
}

/** Where decisions go besides the local index: the gateways sharing it (routing/shared-index.ts). */
export interface PrefixSink {
  record(model: string, replica: string, blocks: readonly string[]): void;
}


export class Router {
  readonly policy: RoutingPolicy;
  readonly #model: string;
  readonly #index: PrefixIndex | undefined;
  readonly #sink: PrefixSink | undefined;
  readonly #guard: HotSpotGuard;
  /** Ties go round the replicas, so that equals share the load. */
  #rotation = 0;

  /** `index`: the prefix index a prefix-aware router learns into (its own, by default); other policies have none, and build none. */
  constructor(model: string, policy: RoutingPolicy, options: { index?: PrefixIndex; sink?: PrefixSink | undefined; guard?: HotSpotGuard } = {}) {
    this.#model = model;
    this.policy = policy;
    this.#index = policy === 'prefix-aware' ? (options.index ?? new PrefixIndex()) : undefined;
    this.#sink = options.sink;
    this.#guard = options.guard ?? DEFAULT_GUARD;
  }

  /** Whether decisions need the prompt's blocks at all. */
  get wantsPrefix(): boolean {
    return this.#index !== undefined;
  }

  /** What another gateway sent (the shared index): known here as if this one had. */
  learn(replica: string, blocks: readonly string[]): void {
    this.#index?.record(replica, blocks);
  }

  /** The replica for the next attempt among those not in `tried`, or undefined when none is left. */
  pick(replicas: readonly Replica[], tried: ReadonlySet<Replica>, blocks: readonly string[]): RoutingDecision | undefined {
    if (this.#index === undefined) {
      const replica = pickReplica(replicas, tried);
      return replica && { replica, reason: replica.state === 'HEALTHY' ? 'load' : 'fallback' };
    }
    const candidates = this.#candidates(replicas, tried);
    const first = candidates[0];
    if (first === undefined) return undefined;
    const matched = blocks.length === 0 ? undefined : this.#index.matches(blocks, candidates.map((r) => r.url));
    const chosen = choose(candidates.map((r) => ({ matched: matched?.get(r.url) ?? 0, load: r.load })), this.#guard);
    const replica = candidates[chosen?.index ?? 0]!;
    const reason: RoutingReason = first.state !== 'HEALTHY' ? 'fallback' : (chosen?.reason ?? 'load');
    if (reason === 'prefix') replica.prefixHit();
    if (blocks.length > 0) {
      this.#index.record(replica.url, blocks);
      this.#sink?.record(this.#model, replica.url, blocks);
    }
    return { replica, reason };
  }

  /** The untried replicas of the best state there is, in rotated order. */
  #candidates(replicas: readonly Replica[], tried: ReadonlySet<Replica>): Replica[] {
    const n = replicas.length;
    const start = this.#rotation++ % Math.max(1, n);
    let best = Number.POSITIVE_INFINITY;
    const candidates: Replica[] = [];
    for (let k = 0; k < n; k++) {
      const replica = replicas[(start + k) % n]!;
      if (tried.has(replica)) continue;
      const rank = PREFERENCE[replica.state];
      if (rank < best) {
        best = rank;
        candidates.length = 0;
      }
      if (rank === best) candidates.push(replica);
    }
    return candidates;
  }
}
