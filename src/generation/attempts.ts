// Retries across replicas, only while nothing has been generated: each
// attempt goes to the best replica not yet tried, after a jittered backoff,
// and all of them share the request's one signal (so one deadline).
import { setTimeout as sleep } from 'node:timers/promises';
import { GatewayError } from '../errors.ts';
import { pickReplica } from '../registry/balancer.ts';
import type { Model } from '../registry/model.ts';
import type { Replica } from '../registry/replica.ts';
import { isRetryable, UpstreamError } from '../tgi/errors.ts';
import { blamesReplica, fromUpstream } from './upstream-errors.ts';

export interface RetryPolicy {
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
}

/** A successful attempt holds its replica's in-flight slot until released. */
export interface Attempt<T> {
  replica: Replica;
  value: T;
  release(): void;
}

const NONE: ReadonlySet<Replica> = new Set();

export async function attemptOnReplicas<T>(
  model: Model,
  policy: RetryPolicy,
  signal: AbortSignal,
  call: (replica: Replica, signal: AbortSignal) => Promise<T>,
): Promise<Attempt<T>> {
  const tried = new Set<Replica>();
  let overload: GatewayError | undefined;
  let last: GatewayError | undefined;
  for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
    // A replica not yet tried while one is left; then any, best first.
    const replica = pickReplica(model.replicas, tried.size < model.replicas.length ? tried : NONE);
    if (!replica) break;
    tried.add(replica);
    replica.inFlight += 1;
    try {
      const value = await call(replica, signal);
      return { replica, value, release: once(() => void (replica.inFlight -= 1)) };
    } catch (error) {
      replica.inFlight -= 1;
      if (signal.aborted) throw blameTimeout(signal.reason, replica);
      if (!(error instanceof UpstreamError)) throw error;
      if (blamesReplica(error.failure)) replica.failed();
      const failure = fromUpstream(error.failure, model.id);
      if (!isRetryable(error.failure)) throw failure;
      if (failure.code === 'UPSTREAM_OVERLOADED') overload = failure;
      last = failure;
    }
    if (attempt < policy.maxAttempts) await backoff(attempt, policy, signal);
  }
  // Overload anywhere says "come back later", which beats "unreachable".
  throw overload ?? last ?? new GatewayError('UPSTREAM_UNAVAILABLE', `no replica of model "${model.id}" could be reached`);
}

/** A timeout charged to the replica that was being waited on. */
export function blameTimeout(reason: unknown, replica: Replica): unknown {
  if (reason instanceof GatewayError && reason.code === 'UPSTREAM_TIMEOUT') replica.failed();
  return reason;
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

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (!done) {
      done = true;
      fn();
    }
  };
}
