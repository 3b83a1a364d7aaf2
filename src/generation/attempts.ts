// Retries across replicas, only while nothing has been generated: each
// attempt goes to the best replica not yet tried, after a jittered backoff,
// and all of them share the generation's one signal (so one deadline).
import { setTimeout as sleep } from 'node:timers/promises';
import { GatewayError } from '../errors.ts';
import type { Replica } from '../registry/replica.ts';
import { judgeFailure } from './failures.ts';
import type { Generation } from './generation.ts';

export interface RetryPolicy {
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
}

const NONE: ReadonlySet<Replica> = new Set();

/**
 * Resolves with the first successful call; its replica is then held by the
 * generation. `streaming` says whether silence before the first token is the
 * replica's fault: a unary answer may simply take long. `blocks` are the
 * prompt's prefix blocks, hashed once for every attempt's routing.
 */
export async function attemptOnReplicas<T>(
  generation: Generation,
  policy: RetryPolicy,
  streaming: boolean,
  blocks: readonly string[],
  call: (replica: Replica, signal: AbortSignal) => Promise<T>,
  /** Replicas this generation asked already (a stream continued after a failure asks another). */
  tried: Set<Replica> = new Set(),
): Promise<T> {
  const { model, signal } = generation;
  let overloaded: GatewayError | undefined;
  let other: GatewayError | undefined;
  let requestTied = 0;
  for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
    // Ended before this attempt (the client left as the generation began): nothing is asked.
    if (signal.aborted) throw signal.reason;
    // A replica not yet tried while one is left; then any, best first.
    const decision = model.router.pick(model.replicas, tried.size < model.replicas.length ? tried : NONE, blocks);
    if (!decision) break;
    const { replica } = decision;
    tried.add(replica);
    generation.routing = decision.reason;
    generation.attempts += 1;
    const queued = replica.full;
    replica.acquire();
    // Cut while this is set, the generation is charged what the call may have cost (generation.ts).
    generation.askingUpstream = true;
    try {
      const value = await call(replica, signal);
      generation.askingUpstream = false;
      // Ended meanwhile (an abort that raced the answer): nobody will release a held slot.
      if (generation.ended) replica.release();
      else generation.hold(replica);
      return value;
    } catch (error) {
      generation.askingUpstream = false;
      replica.release();
      const failure = judgeFailure(error, { signal, expired: generation.deadlines.expired, streaming, queued, modelId: model.id });
      if (failure.blamesReplica) replica.failed();
      if (failure.kind !== 'upstream' || !failure.retryable) throw failure.error;
      // The request caused it: one more replica may tell a glitch from a request no server can serve, a third would only repeat the work.
      if (failure.requestTied && ++requestTied > 1) throw failure.error;
      if (failure.error.code === 'UPSTREAM_OVERLOADED') overloaded = failure.error;
      else other = failure.error;
    }
    if (attempt < policy.maxAttempts) await backoff(attempt, policy, signal);
  }
  // OVERLOADED only when every replica tried said so; otherwise what else went wrong.
  throw other ?? overloaded ?? new GatewayError('UPSTREAM_UNAVAILABLE', `no replica of model "${model.id}" could be reached`);
}

async function backoff(attempt: number, policy: RetryPolicy, signal: AbortSignal): Promise<void> {
  const ceiling = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** (attempt - 1));
  const ms = Math.round(ceiling * (0.5 + Math.random() / 2));
  if (ms === 0) return;
  try {
    await sleep(ms, undefined, { signal });
  } catch {
    // Waiting between attempts is nobody's fault: the deadline or the client ended it.
    throw signal.reason;
  }
}
