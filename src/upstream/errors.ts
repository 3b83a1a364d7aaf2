// The upstream error family: every way a call to a model server can fail, as
// data, whatever protocol it speaks. The generation service decides what each
// means for retries and for clients. `detail` is for the log (library and
// syscall codes such as UND_ERR_SOCKET); only a `connect` detail is in words a
// client may read (see http.ts).

/**
 * What kind of error a server reported, in the gateway's vocabulary (TGI's
 * `error_type` names, which every protocol adapter maps its own errors onto).
 */
export type UpstreamErrorType =
  | 'validation'
  | 'overloaded'
  | 'generation'
  | 'incomplete_generation'
  | 'incomplete_generation_stream'
  | 'healthcheck'
  /**
   * The server failed because of what was asked, not because it is broken
   * (llama.cpp's "context shift is disabled" 500): the client's to fix.
   */
  | 'request'
  | (string & {});

/**
 * `field`, on a validation error, is the request field at fault in the
 * gateway's own names (prompt, maxNewTokens…), when the protocol's adapter
 * could tell it from the server's words (and put the message in those names).
 */
export type UpstreamFailure =
  /** No connection could be made (refused, DNS, connect timeout). Nothing reached the server. */
  | { kind: 'connect'; detail: string; timedOut?: true }
  /** The connection broke before a response arrived. */
  | { kind: 'reset'; detail: string }
  /** The server answered a non-2xx status; `errorType` when its body said which error. */
  | { kind: 'http'; status: number; errorType: UpstreamErrorType | null; message: string; retryAfterSeconds: number | null; field?: string }
  /** The server reported an error inside a 200 stream (overload, validation, generation failure). */
  | { kind: 'in-band'; errorType: UpstreamErrorType; message: string; field?: string }
  /** A started answer ended before it was whole: the connection dropped, or the stream ended early. */
  | { kind: 'broken'; detail: string; connectionLost?: true }
  /** The server sent something the client cannot read. */
  | { kind: 'protocol'; detail: string };

export class UpstreamError extends Error {
  override name = 'UpstreamError';
  readonly failure: UpstreamFailure;

  constructor(failure: UpstreamFailure) {
    super(describe(failure));
    this.failure = failure;
  }
}

function describe(f: UpstreamFailure): string {
  switch (f.kind) {
    case 'connect': return `cannot connect: ${f.detail}`;
    case 'reset': return `connection reset: ${f.detail}`;
    case 'http': return `HTTP ${f.status}: ${f.message}`;
    case 'in-band': return `${f.errorType}: ${f.message}`;
    case 'broken': return `stream broken: ${f.detail}`;
    case 'protocol': return `protocol error: ${f.detail}`;
  }
}

/** The failure in words a client may read (a replica's health error): no code, no address. */
export function publicReason(f: UpstreamFailure): string {
  switch (f.kind) {
    case 'connect': return `cannot connect: ${f.detail}`;
    case 'reset': return 'the connection closed before an answer';
    case 'http': return `HTTP ${f.status}: ${f.message}`;
    // A server's in-band text may name its internals (shards, CUDA): the type is enough.
    case 'in-band': return `${f.errorType} error`;
    case 'broken': return f.connectionLost ? 'the connection closed during the answer' : 'the answer ended early';
    case 'protocol': return 'the answer could not be read';
  }
}

/** Failures caused by the request itself: they say nothing of the replica, and the same request would fail anywhere. */
export function isRequestTied(f: UpstreamFailure): boolean {
  return (f.kind === 'http' || f.kind === 'in-band') && f.errorType === 'request';
}

/** Failures after which nothing was generated, so another replica may be tried. */
export function isRetryable(f: UpstreamFailure): boolean {
  switch (f.kind) {
    case 'connect':
    case 'reset':
      return true;
    case 'http':
      return f.status === 429 || (f.status >= 500 && f.status <= 504 && f.status !== 501);
    case 'in-band':
      // A request-tied failure may be a replica's glitch all the same: the caller tries it again at most once.
      return f.errorType === 'overloaded' || f.errorType === 'request';
    default:
      return false;
  }
}
