// What a failed call to a model server means, decided once for every moment
// it can fail (an attempt before the first token, or a stream under way):
// whether the replica is to blame (for ejection), and what the client is told.
import type { GatewayError } from '../errors.ts';
import { isRequestTied, isRetryable, UpstreamError } from '../upstream/errors.ts';
import type { Expiry } from './deadlines.ts';
import { blamesReplica, fromUpstream } from './upstream-errors.ts';

/** What the client gets (`error`), and whether the replica is to blame. */
export type Failure =
  /** The generation's signal fired (the client, a budget, shutdown): its reason is the error. */
  | { readonly kind: 'cut'; readonly error: unknown; readonly blamesReplica: boolean }
  /**
   * The server failed: in the gateway's words, and whether another replica may be asked.
   * `requestTied`: the request caused it (asked again at most once, never the replica's blame).
   */
  | { readonly kind: 'upstream'; readonly error: GatewayError; readonly blamesReplica: boolean; readonly retryable: boolean; readonly requestTied: boolean }
  /** Not the server's doing (a bug of ours): passed on as it is. */
  | { readonly kind: 'internal'; readonly error: unknown; readonly blamesReplica: false };

export interface FailureContext {
  /** The generation's signal: fired, it says why the call failed. */
  readonly signal: AbortSignal;
  /** Which budget ran out, if one did. */
  readonly expired: Expiry | undefined;
  /**
   * Whether the server's silence before the first token is its fault: a
   * stream's first event comes quickly, a unary answer may simply take long.
   */
  readonly streaming: boolean;
  /** The replica was full when the call was sent: its silence may be the wait in its queue (load, not failure). */
  readonly queued?: boolean;
  readonly modelId: string;
}

export function judgeFailure(error: unknown, context: FailureContext): Failure {
  const { signal, expired } = context;
  if (signal.aborted) {
    // Silence is the replica's fault (between tokens, or before a stream's first one, unless it
    // had requests queued ahead); the total budget is the request's own, and the client or shutdown nobody's.
    const silent = expired === 'idle' || (expired === 'firstToken' && context.streaming && context.queued !== true);
    return { kind: 'cut', error: signal.reason, blamesReplica: silent };
  }
  if (!(error instanceof UpstreamError)) return { kind: 'internal', error, blamesReplica: false };
  const { failure } = error;
  return {
    kind: 'upstream',
    error: fromUpstream(failure, context.modelId),
    blamesReplica: blamesReplica(failure),
    retryable: isRetryable(failure),
    requestTied: isRequestTied(failure),
  };
}
