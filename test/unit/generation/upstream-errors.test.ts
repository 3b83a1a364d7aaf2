import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../../src/errors.ts';
import { blamesReplica, fromUpstream, overloaded } from '../../../src/generation/upstream-errors.ts';
import type { UpstreamFailure } from '../../../src/upstream/errors.ts';

const MODEL = 'llama';

const http = (status: number, errorType: string | null = null, retryAfterSeconds: number | null = null, message = `status ${status}`): UpstreamFailure => ({
  kind: 'http',
  status,
  errorType,
  message,
  retryAfterSeconds,
});
const inBand = (errorType: string, message = `${errorType} happened`): UpstreamFailure => ({ kind: 'in-band', errorType, message });

/** An undici, syscall or llhttp error code, which clients must never see either. */
const CODE = /UND_ERR|HPE_|\bE[A-Z]{3,}\b/;
/** A URL or a host:port, which clients must never see. */
const ADDRESS = /https?:\/\/|\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b|\b[a-z0-9.-]+:\d{2,5}\b/i;

describe('fromUpstream', () => {
  it.each([
    ['a connect error', { kind: 'connect', detail: 'connection refused' }, 'UPSTREAM_UNAVAILABLE'],
    ['a connect timeout', { kind: 'connect', detail: 'connect timeout', timedOut: true }, 'UPSTREAM_TIMEOUT'],
    ['a reset', { kind: 'reset', detail: 'socket hang up' }, 'UPSTREAM_UNAVAILABLE'],
    ['HTTP 429', http(429), 'UPSTREAM_OVERLOADED'],
    ['HTTP 429 with TGI\'s overloaded body', http(429, 'overloaded'), 'UPSTREAM_OVERLOADED'],
    ['an in-band overloaded event', inBand('overloaded'), 'UPSTREAM_OVERLOADED'],
    ['HTTP 422 with TGI\'s validation body', http(422, 'validation'), 'BAD_USER_INPUT'],
    ['an in-band validation event', inBand('validation'), 'BAD_USER_INPUT'],
    ['HTTP 413', http(413), 'BAD_USER_INPUT'],
    ['HTTP 424 with TGI\'s generation body', http(424, 'generation'), 'UPSTREAM_ERROR'],
    ['an in-band generation event', inBand('generation'), 'UPSTREAM_ERROR'],
    ['an in-band incomplete stream', inBand('incomplete_generation_stream'), 'UPSTREAM_ERROR'],
    ['an in-band event of an unknown type', inBand('mystery'), 'UPSTREAM_ERROR'],
    ['HTTP 500 with TGI\'s incomplete_generation body', http(500, 'incomplete_generation'), 'UPSTREAM_ERROR'],
    ['HTTP 503', http(503), 'UPSTREAM_UNAVAILABLE'],
    ['HTTP 503 unhealthy', http(503, 'healthcheck'), 'UPSTREAM_UNAVAILABLE'],
    ['HTTP 500', http(500), 'UPSTREAM_ERROR'],
    ['HTTP 502', http(502), 'UPSTREAM_ERROR'],
    ['HTTP 504', http(504), 'UPSTREAM_ERROR'],
    ['HTTP 422 in axum\'s plain text (a request the gateway built wrong)', http(422, null), 'UPSTREAM_ERROR'],
    ['HTTP 401', http(401), 'UPSTREAM_ERROR'],
    ['a broken stream', { kind: 'broken', detail: 'stream ended before its final event' }, 'UPSTREAM_ERROR'],
    ['a protocol error', { kind: 'protocol', detail: 'stream event is not JSON' }, 'UPSTREAM_ERROR'],
  ] satisfies [string, UpstreamFailure, ErrorCode][])('maps %s to %s', (_what, failure, code) => {
    expect(fromUpstream(failure, MODEL).code).toBe(code);
  });

  it('passes Retry-After on as retryAfterSeconds when TGI sent it', () => {
    expect(fromUpstream(http(429, 'overloaded', 3), MODEL).details).toEqual({ retryAfterSeconds: 3 });
    expect(fromUpstream(http(429, null, 0), MODEL).details).toEqual({ retryAfterSeconds: 0 });
  });

  it('leaves retryAfterSeconds out when nothing says when to retry', () => {
    expect(fromUpstream(http(429), MODEL).details).toEqual({});
    expect(fromUpstream(inBand('overloaded'), MODEL).details).toEqual({});
  });

  it('keeps TGI\'s validation message, so the client learns what to fix', () => {
    const message = 'Input validation error: `top_p` must be > 0.0 and < 1.0';
    expect(fromUpstream(inBand('validation', message), MODEL).message).toContain('must be > 0.0 and < 1.0');
    expect(fromUpstream(http(422, 'validation', null, message), MODEL).message).toContain('must be > 0.0 and < 1.0');
  });

  it("makes a request-tied failure BAD_USER_INPUT in the server's own words", () => {
    expect(fromUpstream(http(500, 'request', null, 'context shift is disabled'), MODEL)).toMatchObject({ code: 'BAD_USER_INPUT', message: 'context shift is disabled' });
    expect(fromUpstream(inBand('request', 'context shift is disabled'), MODEL)).toMatchObject({ code: 'BAD_USER_INPUT', message: 'context shift is disabled' });
  });

  it('names upstream authentication when the server refuses the key the gateway sends', () => {
    for (const status of [401, 403]) {
      expect(fromUpstream(http(status, null, null, 'Unauthorized'), MODEL)).toMatchObject({ code: 'UPSTREAM_ERROR', message: expect.stringContaining('upstream authentication') });
    }
  });

  it('names the model in overload and unavailability messages', () => {
    expect(fromUpstream(http(429), MODEL).message).toContain('"llama"');
    expect(fromUpstream({ kind: 'connect', detail: 'x' }, MODEL).message).toContain('"llama"');
    expect(fromUpstream(http(503), MODEL).message).toContain('"llama"');
  });

  describe('messages never show an upstream address', () => {
    const url = 'http://10.0.0.5:8080/generate_stream';
    it.each([
      ['connect', { kind: 'connect', detail: `connect ECONNREFUSED 10.0.0.5:8080 (${url})` }],
      ['connect timeout', { kind: 'connect', detail: `attempted address: 10.0.0.5:8080 (${url})`, timedOut: true }],
      ['reset', { kind: 'reset', detail: `socket hang up ${url}` }],
      ['protocol', { kind: 'protocol', detail: `unexpected body from ${url}` }],
      ['http with a proxy\'s page', http(502, null, null, `<h1>Bad gateway</h1> upstream ${url} refused`)],
      ['http 503 with a proxy\'s page', http(503, null, null, `no healthy upstream tgi-0.tgi.svc:8080`)],
      ['http 429 with a proxy\'s page', http(429, null, null, `rate limited by ${url}`)],
    ] satisfies [string, UpstreamFailure][])('for %s failures', (_what, failure) => {
      expect(fromUpstream(failure, MODEL).message).not.toMatch(ADDRESS);
    });

  });

  describe('messages never show a library\'s or the kernel\'s error code, which stays in the cause for the log', () => {
    it.each([
      ['a dropped connection mid-stream', { kind: 'broken', detail: 'UND_ERR_SOCKET', connectionLost: true }, 'the model server closed the connection during the generation'],
      ['a reset mid-answer', { kind: 'broken', detail: 'ECONNRESET', connectionLost: true }, 'the model server closed the connection during the generation'],
      ['a stream that ended early', { kind: 'broken', detail: 'stream ended before its final event' }, 'the model server ended the stream before the generation was complete'],
      ['a reset before the answer', { kind: 'reset', detail: 'ECONNRESET' }, 'no replica of model "llama" could be reached'],
      ['a garbled answer', { kind: 'protocol', detail: 'HPE_INVALID_CONSTANT' }, 'the model server sent an answer that could not be read'],
      ['a refused connection', { kind: 'connect', detail: 'connection refused' }, 'no replica of model "llama" could be reached'],
    ] satisfies [string, UpstreamFailure, string][])('for %s', (_what, failure, message) => {
      const error = fromUpstream(failure, MODEL);
      expect(error.message).toBe(message);
      expect(error.message).not.toMatch(CODE);
      expect(error.cause).toEqual(failure);
    });
  });
});

describe('overloaded', () => {
  it('is UPSTREAM_OVERLOADED with retryAfterSeconds only when given', () => {
    expect(overloaded('m', 1)).toMatchObject({ code: 'UPSTREAM_OVERLOADED', details: { retryAfterSeconds: 1 } });
    expect(overloaded('m', null).details).toEqual({});
  });
});

describe('blamesReplica', () => {
  it.each([
    ['a connect error', { kind: 'connect', detail: 'ECONNREFUSED' }],
    ['a reset', { kind: 'reset', detail: 'socket hang up' }],
    ['a broken stream', { kind: 'broken', detail: 'cut' }],
    ['a protocol error', { kind: 'protocol', detail: 'not JSON' }],
    ['HTTP 500', http(500)],
    ['HTTP 502', http(502)],
    ['HTTP 503', http(503, 'healthcheck')],
    ['HTTP 504', http(504)],
  ] satisfies [string, UpstreamFailure][])('counts %s against the replica', (_what, failure) => {
    expect(blamesReplica(failure)).toBe(true);
  });

  it.each([
    ['HTTP 429 (load, not failure)', http(429, 'overloaded')],
    ['an in-band overloaded event', inBand('overloaded')],
    ['HTTP 422 (bad input)', http(422, 'validation')],
    ['an in-band validation event', inBand('validation')],
    ['HTTP 413', http(413)],
    ['HTTP 424 (TGI\'s generation error)', http(424, 'generation')],
    ['an in-band generation event', inBand('generation')],
    ["HTTP 500 that the server's dialect knows as request-tied", http(500, 'request')],
    ['an in-band request-tied event (an old llama.cpp error: line)', inBand('request')],
  ] satisfies [string, UpstreamFailure][])('does not count %s against the replica', (_what, failure) => {
    expect(blamesReplica(failure)).toBe(false);
  });
});
