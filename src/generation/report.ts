// What one generation request came to, told once when it is over: to the
// metrics and to the access log. Refused requests are told too.
import type { Caller } from '../access/caller.ts';
import { GatewayError, type ErrorCode } from '../errors.ts';
import type { Protocol } from '../upstream/types.ts';

/** The generation operations (one each per request). */
export type Operation = 'generate' | 'generateStream' | 'chat' | 'chatStream';
/** Where the request came in. */
export type Transport = 'http' | 'sse' | 'ws' | 'rest';

/** Who asks, and how: known from the start and carried to the end. */
export interface RequestInfo {
  readonly caller: Caller;
  readonly requestId: string;
  readonly operation: Operation;
  readonly transport: Transport;
  /** The caller's valid W3C `traceparent`, continued upstream. */
  readonly traceparent?: string | undefined;
}

/**
 * How it ended: `completed`; `client_left` (unsubscribed, disconnected);
 * `timeout` (a time budget); `error` (upstream, shutdown); `refused` (before
 * anything was asked of a model server: bad input, limits, permissions).
 */
export type Ending = 'completed' | 'client_left' | 'timeout' | 'error' | 'refused';

export interface GenerationReport {
  readonly request: RequestInfo;
  readonly model: string;
  /** How the model's servers are spoken to; null for a model that does not exist. */
  readonly protocol: Protocol | null;
  /** The replica that answered, when one did. */
  readonly replica: string | undefined;
  /** `OK`, `CANCELLED` for a client that left, or the error's code. */
  readonly code: 'OK' | 'CANCELLED' | ErrorCode;
  readonly ending: Ending;
  readonly attempts: number;
  /** Prompt tokens, where the model server reported them; null otherwise. */
  readonly promptTokens: number | null;
  readonly generatedTokens: number;
  readonly timeToFirstTokenMs: number | null;
  readonly totalMs: number;
}

export interface GenerationObserver {
  /** Called once per request that reached the generation service, when it is over. */
  finished(report: GenerationReport): void;
}

/** Nothing observes: the default, and what tests use. */
export const NO_OBSERVER: GenerationObserver = { finished: () => undefined };

/** The ending and code of a generation that failed with `error` (undefined: it completed). */
export function endingOf(error: unknown): { ending: Ending; code: GenerationReport['code'] } {
  if (error === undefined) return { ending: 'completed', code: 'OK' };
  if (error instanceof GatewayError) return { ending: error.code === 'UPSTREAM_TIMEOUT' ? 'timeout' : 'error', code: error.code };
  // An AbortError of the client's (unsubscribe, disconnect): no error of anyone's.
  if (error instanceof DOMException && error.name === 'AbortError') return { ending: 'client_left', code: 'CANCELLED' };
  return { ending: 'error', code: 'INTERNAL_SERVER_ERROR' };
}
