import { describe, expect, it } from 'vitest';
import { isRetryable, publicReason, UpstreamError } from '../../../src/upstream/errors.ts';
import type { UpstreamFailure } from '../../../src/upstream/errors.ts';

const http = (status: number, errorType: string | null = null): UpstreamFailure => ({
  kind: 'http',
  status,
  errorType,
  message: `status ${status}`,
  retryAfterSeconds: null,
});
const inBand = (errorType: string): UpstreamFailure => ({ kind: 'in-band', errorType, message: errorType });

describe('isRetryable', () => {
  it.each([
    ['a connect error', { kind: 'connect', detail: 'connection refused' }],
    ['a connect timeout (each attempt has its own)', { kind: 'connect', detail: 'connect timeout', timedOut: true }],
    ['a reset before the response', { kind: 'reset', detail: 'socket hang up' }],
    ['HTTP 429', http(429, 'overloaded')],
    ['HTTP 500', http(500)],
    ['HTTP 502', http(502)],
    ['HTTP 503', http(503, 'healthcheck')],
    ['HTTP 504', http(504)],
    ['an in-band overloaded event', inBand('overloaded')],
  ] satisfies [string, UpstreamFailure][])('retries %s: nothing was generated yet', (_what, failure) => {
    expect(isRetryable(failure)).toBe(true);
  });

  it.each([
    ['HTTP 400', http(400)],
    ['HTTP 413', http(413)],
    ['HTTP 422', http(422, 'validation')],
    ['HTTP 424 (generation error)', http(424, 'generation')],
    ['HTTP 501', http(501)],
    ['HTTP 505', http(505)],
    ['an in-band validation event', inBand('validation')],
    ['an in-band generation event', inBand('generation')],
    ['an in-band incomplete stream', inBand('incomplete_generation_stream')],
    ['a broken stream', { kind: 'broken', detail: 'cut' }],
    ['a protocol error', { kind: 'protocol', detail: 'not JSON' }],
  ] satisfies [string, UpstreamFailure][])('does not retry %s', (_what, failure) => {
    expect(isRetryable(failure)).toBe(false);
  });
});

describe('UpstreamError', () => {
  it('carries its failure and a message that says what happened', () => {
    const error = new UpstreamError(http(502));
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('UpstreamError');
    expect(error.failure).toEqual(http(502));
    expect(error.message).toBe('HTTP 502: status 502');
    expect(new UpstreamError(inBand('overloaded')).message).toBe('overloaded: overloaded');
    expect(new UpstreamError({ kind: 'broken', detail: 'cut' }).message).toBe('stream broken: cut');
  });
});

describe('publicReason', () => {
  it.each([
    [{ kind: 'connect', detail: 'connection refused' }, 'cannot connect: connection refused'],
    [{ kind: 'reset', detail: 'UND_ERR_SOCKET' }, 'the connection closed before an answer'],
    [{ kind: 'broken', detail: 'ECONNRESET', connectionLost: true }, 'the connection closed during the answer'],
    [{ kind: 'broken', detail: 'stream ended before its final event' }, 'the answer ended early'],
    [{ kind: 'protocol', detail: 'HPE_INVALID_CONSTANT' }, 'the answer could not be read'],
    [http(503, 'healthcheck'), 'HTTP 503: status 503'],
  ] satisfies [UpstreamFailure, string][])('words %o for clients, leaving its detail to the log', (failure, reason) => {
    expect(publicReason(failure)).toBe(reason);
  });
});
