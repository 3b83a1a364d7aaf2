// The upstream error family: every way a call to TGI can fail, as data.
// The generation service decides what each means for retries and for clients.
import type { WireErrorType } from './wire.ts';

export type UpstreamFailure =
  /** No connection could be made (refused, DNS, connect timeout). Nothing reached TGI. */
  | { kind: 'connect'; detail: string; timedOut?: true }
  /** The connection broke before a response arrived. */
  | { kind: 'reset'; detail: string }
  /** TGI answered a non-2xx status; `errorType` when the body was TGI's error JSON. */
  | { kind: 'http'; status: number; errorType: WireErrorType | null; message: string; retryAfterSeconds: number | null }
  /** TGI reported an error inside a 200 stream (overload, validation, generation failure). */
  | { kind: 'in-band'; errorType: WireErrorType; message: string }
  /** A started stream ended without its final event (dropped connection, truncated body). */
  | { kind: 'broken'; detail: string }
  /** TGI sent something this client cannot read. */
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

/** Failures after which nothing was generated, so another replica may be tried. */
export function isRetryable(f: UpstreamFailure): boolean {
  switch (f.kind) {
    case 'connect':
    case 'reset':
      return true;
    case 'http':
      return f.status === 429 || (f.status >= 500 && f.status <= 504 && f.status !== 501);
    case 'in-band':
      return f.errorType === 'overloaded';
    default:
      return false;
  }
}
